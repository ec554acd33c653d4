"""The code location's one home, pyproject.toml [tool.dg.project], as Dagster itself reads it."""

import shutil
import tomllib
from pathlib import Path

from dagster._core.workspace.load_target import ModuleTarget, get_target_from_toml_data
from dagster.components.core.component_tree import ComponentTree

from dagster_project import settings

PYPROJECT = settings.REPO_ROOT / "pyproject.toml"


def test_dagster_dev_and_the_defs_loader_name_the_code_location_alike_wherever_it_is_checked_out(tmp_path: Path):
    # `make dev` runs `dagster dev` with no target: Dagster reads pyproject.toml for the module and location name
    target = get_target_from_toml_data(tomllib.loads(PYPROJECT.read_text(encoding="utf-8")))
    assert isinstance(target, ModuleTarget)
    assert target.module_name == "dagster_project.definitions"  # the entry point that loads defs/ only
    assert target.location_name

    # dg.load_from_defs_folder names the location from the same file; where the file gives no name it takes the
    # checkout's folder name and, under `dagster dev`, warns on every load that the two differ
    checkout = tmp_path / "a-checkout-named-otherwise"
    checkout.mkdir()
    shutil.copyfile(PYPROJECT, checkout / "pyproject.toml")
    tree = ComponentTree.for_project(checkout)
    assert tree.code_location_name == target.location_name
