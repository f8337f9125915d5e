"""The `voc` command: exit codes and messages a data engineer acts on."""

from __future__ import annotations

import json

from voc.cli import main


def test_sample_writes_the_drop_folder_and_ground_truth(tmp_path, capsys):
    out = tmp_path / "drop"
    assert (
        main(
            ["sample", "--out", str(out), "--seed", "3", "--end", "2026-10-15T10:00:00+00:00", "--months", "1", "--scale", "0.2"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    truth = json.loads((out / "ground_truth.json").read_text())
    assert truth["seed"] == 3 and truth["start"].startswith("2026-09-01")
    assert {path.name for path in out.iterdir()} >= {"phone", "email", "chat", "twitter", "facebook", "web", "surveys", "cases"}
    assert f"sample written to {out}" in printed and "phone:" in printed


def test_land_unknown_channel_exits_2_naming_the_known_ones(warehouse, capsys):
    assert main(["land", "fax"]) == 2
    assert "unknown channel 'fax'; known channels: phone, email" in capsys.readouterr().err


def test_warehouse_status_and_env(warehouse, capsys):
    assert main(["warehouse", "status"]) == 0
    assert capsys.readouterr().out.strip() == "running"
    assert main(["warehouse", "env"]) == 0
    exports = capsys.readouterr().out
    assert "export VOC_PG_HOST=127.0.0.1" in exports and "export PGPORT=" in exports
