"""The command line outside the Makefile."""

import shutil

from dagster_project import cli, settings


def test_without_dagster_home_the_cli_uses_the_projects_instance(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.DEFAULT_DAGSTER_HOME / "dagster.yaml", home)
    monkeypatch.setattr(settings, "DEFAULT_DAGSTER_HOME", home)
    monkeypatch.delenv(settings.DAGSTER_HOME_ENV, raising=False)
    with cli.project_instance() as instance:
        assert instance.root_directory == str(home)
        assert not instance.telemetry_enabled  # the project's dagster.yaml, not Dagster's defaults
