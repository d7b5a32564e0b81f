"""bench/test_cost: a test's CPU is its worker's own plus its waited-for children's, its
waiting is wall minus CPU; the busy share comes from the machine's samples."""
import json

from bench.test_cost.run import per_test_rows, tables


def _event(worker, test, event, time, cpu, children):
    return json.dumps({"worker": worker, "test": test, "event": event, "time": time,
                       "cpu": cpu, "children_cpu": children})


def test_cpu_and_waiting_per_test_and_busy_share(tmp_path):
    (tmp_path / "events.jsonl").write_text("\n".join([
        _event("gw0", "a.py::slow", "start", 100.0, 1.0, 0.0),
        _event("gw1", "b.py::sleepy", "start", 101.0, 2.0, 5.0),
        _event("gw1", "b.py::sleepy", "end", 104.0, 2.5, 5.0),   # 3 s wall, 0.5 s CPU
        _event("gw0", "a.py::slow", "end", 110.0, 2.0, 8.0),     # 10 s wall, 1 + 8 s CPU
    ]) + "\n")
    (tmp_path / "busy.tsv").write_text("seconds\tbusy_core_s\tidle_core_s\n"
                                       "2\t3.0\t1.0\n4\t3.0\t1.0\n")
    rows = {r["test"]: r for r in per_test_rows(tmp_path / "events.jsonl")}
    assert rows["a.py::slow"]["cpu"] == 9.0 and rows["a.py::slow"]["wall"] == 10.0
    assert rows["a.py::slow"]["waiting"] == 1.0
    assert rows["b.py::sleepy"]["start"] == 1.0 and rows["b.py::sleepy"]["waiting"] == 2.5
    text = tables(tmp_path)
    assert text.startswith("2 tests in 10 s; machine busy 6 core-s, idle 2 core-s (75 % busy)")
    by_cpu = text.split("Tests by CPU:")[1]
    assert by_cpu.index("a.py::slow") < by_cpu.index("b.py::sleepy")
    by_waiting = text.split("Tests by waiting")[1]
    assert by_waiting.index("b.py::sleepy") < by_waiting.index("a.py::slow")
