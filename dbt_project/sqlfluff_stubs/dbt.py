"""dbt's cross-database macros (`dbt.dateadd`, `dbt.type_string`, ...) as dbt-duckdb renders them."""


def concat(fields: list[str]) -> str:
    return " || ".join(fields)


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def dateadd(datepart: str, interval, from_date_or_timestamp: str) -> str:
    return f"({from_date_or_timestamp} + cast({interval} as bigint) * interval 1 {datepart.lower()})"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', cast({first_date} as timestamp), cast({second_date} as timestamp))"


def split_part(string_text: str, delimiter_text: str, part_number) -> str:
    return f"string_split({string_text}, {delimiter_text})[{part_number}]"


def safe_cast(field: str, type: str) -> str:
    return f"cast({field} as {type})"


def type_string() -> str:
    return "text"


def type_numeric() -> str:
    return "numeric(28,6)"


def type_bigint() -> str:
    return "bigint"


def type_int() -> str:
    return "integer"


def type_float() -> str:
    return "float"


def type_timestamp() -> str:
    return "timestamp"


def type_boolean() -> str:
    return "boolean"
