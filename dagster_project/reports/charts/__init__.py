"""One module per chart; each `render(ctx) -> Chart` reads the marts and writes one PNG, or says why it skipped."""

from . import china_balance, china_monthly, import_dependence, top_destinations, us_china_shares

# The report's charts, in page order.
RENDERERS = (
    us_china_shares.render,
    china_monthly.render,
    china_balance.render,
    top_destinations.render,
    import_dependence.render,
)
