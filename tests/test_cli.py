"""The `voc` command: exit codes and messages a data engineer acts on."""

from __future__ import annotations

import json

from voc.channels import REGISTRY
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
    assert {path.name for path in out.iterdir()} >= set(REGISTRY)  # a folder per channel
    assert f"sample written to {out}" in printed and "phone:" in printed


def test_sample_refuses_a_folder_it_did_not_write_and_leaves_it_untouched(tmp_path, capsys):
    """A drop folder of real exports (VOC_SAMPLE_DIR pointed at it by mistake) is never emptied."""
    drop = tmp_path / "exports"
    (drop / "phone").mkdir(parents=True)
    real = drop / "phone" / "calls_2026-11-01.csv"
    real.write_text("call_id,started_at\nC-1,2026-11-01T09:00:00+01:00\n")
    args = ["sample", "--out", str(drop), "--end", "2026-10-15T10:00:00+00:00", "--months", "0", "--scale", "0.1"]
    assert main(args) == 1
    assert "holds files the sample generator did not write (phone)" in capsys.readouterr().err
    assert real.read_text().startswith("call_id") and sorted(p.name for p in drop.iterdir()) == ["phone"]

    sample = tmp_path / "sample"
    assert main([*args[:2], str(sample), *args[3:]]) == 0
    assert (sample / ".voc-sample").is_file()
    (sample / "phone" / "extra.csv").write_text("left by the previous sample run\n")
    assert main([*args[:2], str(sample), *args[3:]]) == 0  # its own folder is replaced
    assert not (sample / "phone" / "extra.csv").exists()


def test_demo_refuses_to_write_its_sample_over_real_exports(warehouse, tmp_path, monkeypatch, capsys):
    drop = tmp_path / "exports"
    (drop / "email").mkdir(parents=True)
    (drop / "email" / "inbox.mbox").write_text("From someone\n")
    monkeypatch.setenv("VOC_SAMPLE_DIR", str(drop))
    assert main(["demo"]) == 1
    assert "holds files the sample generator did not write (email)" in capsys.readouterr().err
    assert sorted(p.name for p in drop.iterdir()) == ["email"]


def test_land_unknown_channel_exits_2_naming_the_known_ones(warehouse, capsys):
    assert main(["land", "fax"]) == 2
    assert "unknown channel 'fax'; known channels: phone, email" in capsys.readouterr().err


def test_warehouse_status_and_env(warehouse, capsys):
    assert main(["warehouse", "status"]) == 0
    assert capsys.readouterr().out.strip() == "running"
    assert main(["warehouse", "env"]) == 0
    exports = capsys.readouterr().out
    assert "export VOC_PG_HOST=127.0.0.1" in exports and "export PGPORT=" in exports


def test_the_exports_of_warehouse_env_are_all_dbt_needs_on_the_command_line(warehouse, settings):
    """dbt_project/README.md's way: `eval "$(voc warehouse env)"`, then plain dbt, which acts as the transformer
    and has the pseudonymisation key pads."""
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    query = "select current_user as who, current_setting('voc.pseudonym_ipad') ~ '^[0-9a-f]{128}$' as has_pads"
    script = f'eval "$({bin_dir}/voc warehouse env)" && {bin_dir}/dbt show --quiet --inline "{query}" --output json'
    done = subprocess.run(["bash", "-c", script], cwd=settings.dbt_project_dir, capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert '"who": "voc_transformer"' in done.stdout and '"has_pads": true' in done.stdout, done.stdout


def test_report_runs_the_gate_then_writes_the_month(built_warehouse, capsys):
    assert main(["report", "--month", "2026-08"]) == 0
    printed = capsys.readouterr().out
    report = built_warehouse.reports_dir / "2026-08" / "report.html"
    assert "quality gate passed" in printed and f"report: {report}" in printed
    assert report.exists()


def test_report_refuses_when_the_gate_fails(built_warehouse, warehouse, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOC_REPORTS_DIR", str(tmp_path / "reports"))  # not the session's reports folder
    assert main(["report", "--month", "2026-09"]) == 0
    capsys.readouterr()
    with warehouse.connect(built_warehouse) as conn:
        conn.execute(
            "update marts.fct_complaints set first_response_minutes = -5 where complaint_id = (select min(complaint_id) from marts.fct_complaints where first_response_minutes is not null) returning complaint_id, first_response_minutes"
        )
        conn.commit()
    try:
        assert main(["report", "--month", "2026-09"]) == 1
        err = capsys.readouterr().err
        assert "quality gate failed, nothing published" in err
        # the report published before the failure no longer looks current
        month_dir = tmp_path / "reports" / "2026-09"
        assert not (month_dir / "report.html").exists()
        (withdrawn,) = month_dir.glob("report.withdrawn-*.html")
        assert f"the earlier report of 2026-09 was withdrawn: {withdrawn}" in err
        assert "quality gate of run cli__" in (month_dir / "WITHDRAWN.txt").read_text(encoding="utf-8")
    finally:
        from voc import transform

        transform.run_dbt(["run", "--select", "fct_complaints"], built_warehouse, quiet=True)


def test_setup_with_an_unreachable_airflow_database_is_a_message_not_a_traceback(warehouse, monkeypatch, capsys):
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite:////nonexistent-folder/airflow.db")

    assert main(["setup"]) == 1

    err = capsys.readouterr().err
    assert err.startswith("voc setup: `airflow db migrate` failed (exit 1): ")
    assert "full output in" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_report_of_a_month_the_data_does_not_cover_is_a_message_and_exit_1(built_warehouse, capsys):
    """The session's sample ends on 20 November 2026: November is incomplete in every channel."""
    assert main(["report", "--month", "2026-11"]) == 1

    err = capsys.readouterr().err
    assert "report of 2026-11 not published: " in err and "the month is incomplete" in err and "Traceback" not in err
    assert not (built_warehouse.reports_dir / "2026-11" / "report.html").exists()


def test_demo_refuses_to_run_while_the_channels_read_another_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VOC_DROP_DIR", str(tmp_path / "exports"))

    assert main(["demo"]) == 1

    assert "VOC_DROP_DIR points the channels at" in capsys.readouterr().err
    assert not (tmp_path / "exports").exists()
