"""`make bench` end to end at a tiny scale (`python -m bench --quick`): every phase runs and the figures
have the shape of the targets. The speed and load targets themselves (requests per minute of 1 and 50 agents,
memory over the soak) are judged by the full `make bench`: at this scale 50 agents polling every second in
3-second windows overload the development server, and what they cost says more about the machine than about
the dashboard (tests/perf/test_single_flight.py holds the sharing that keeps their cost down)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_benchmark_runs_end_to_end_and_its_figures_have_the_targets_shape(tmp_path):
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert "| figure" in done.stdout and "naive baseline" in done.stdout and "targets:" in done.stdout

    for size in (25, 50, 100):
        ours, naive = figures[f"page{size}"]
        # Requests in series are read off start and end times: on a loaded machine (CI runs everything on
        # two cores) a request of the first round can start late enough to look like a third round, on
        # more than half of the pages at times. One page shows the structure; tests/perf/test_list_round_trips.py
        # and the full run hold the max.
        assert min(ours["in_series"]) <= 2
        assert max(ours["requests"]) <= 10  # previews included
        assert min(ours["previews"]) >= 1
        assert min(naive["requests"]) == size + 1  # the list, then one count per session
        assert min(naive["in_series"]) == size + 1
    steady = figures["steady"]
    assert steady["unchanged_status"] == 204 and steady["unchanged_bytes"] == 0
    assert steady["unchanged_requests"] <= 1
    assert steady["changed_asked"] == [steady["changed_id"]]
    assert steady["changed_preview_asked"] == [steady["changed_id"]]
    # Issue 14 point 9: what the list sends, in bytes (the targets themselves are printed, not asserted here).
    sizes = figures["bytes"]
    assert sizes["page_rows"] == sizes["region_rows"] == 25
    assert sizes["page_bytes"] > sizes["region_bytes"] > sizes["row_bytes_total"] > 0
    assert sizes["row_bytes_mean"] == sizes["row_bytes_total"] / 25 <= sizes["row_bytes_max"]
    assert steady["changed_status"] == 200 and steady["changed_id"] in steady["changed_row_ids_sent"]
    assert steady["changed_rows_sent"] == len(steady["changed_row_ids_sent"]) >= 1
    assert steady["changed_whole_region_rows"] == 25
    assert 0 < steady["changed_bytes"] < steady["changed_whole_region_bytes"]
    assert "a row: " in done.stdout and "one session changed: the refresh is" in done.stdout
    # Cold pages of 25 against a localappwrite without injected latency: as many as the other cold pages.
    unhindered = figures["page25_no_latency"]
    assert len(unhindered["times_ms"]) == len(figures["page25"][0]["times_ms"])
    assert max(unhindered["requests"]) <= 10
    assert "no injected latency: p50 ms" in done.stdout
    for agents in (1, 10, 50):
        ours, naive = figures[f"agents{agents}"]
        assert ours["list_requests"] > 0 and naive["list_requests"] > 0
        assert set(ours["answers"]) <= {"200", "204"} and sum(ours["answers"].values()) >= agents
    assert "50 agents ≤ 1.5 × one agent's requests/min" in done.stdout
    assert figures["memory"]["samples"] >= 3
