"""The tool_use id → model book, batch plans and task notifications (pure)."""

from __future__ import annotations

import threading

from switchex.tracker.records import Attribution
from switchex.tracker.toolbook import BatchPart, ToolBook, notified_tool_ids, plan_batch

A = Attribution("model-a", "tier-a", "s", "ai")
B = Attribution("model-b", "tier-b", "s", "ai")


def call(name: str, tool_id: str, **tool_input: object) -> dict[str, object]:
    return {"tool_name": name, "tool_use_id": tool_id, "tool_input": tool_input}


def test_each_id_names_the_model_that_emitted_it_per_session() -> None:
    book = ToolBook()
    book.emitted("s", "model-a", "tier-a", ["t1", "t2"])
    book.emitted("s", "model-b", "tier-b", ["t3"], agent="sub")
    book.emitted("other", "model-b", "tier-b", ["t1"])
    assert book.owner("s", "t1") == A and book.owner("s", "t3") == B
    assert book.owner("other", "t1") == Attribution("model-b", "tier-b", "other", "ai")
    assert book.owner("s", "unknown") is None


def test_the_oldest_ids_are_forgotten_beyond_the_bound() -> None:
    book = ToolBook(max_ids=2)
    book.emitted("s", "model-a", "tier-a", ["t1", "t2", "t3"])
    assert book.owner("s", "t1") is None and book.owner("s", "t3") == A


def test_calls_are_in_flight_until_batched_or_the_agent_asks_again() -> None:
    book = ToolBook()
    book.emitted("s1", "model-a", "tier-a", ["t1", "t2"])
    book.emitted("s2", "model-a", "tier-a", ["t9"], agent="sub")
    assert not book.wait_settled(["s1"], 0.01)
    book.batched("s1", ["t1"])
    assert not book.wait_settled(["s1"], 0.01)
    threading.Timer(0.05, book.batched, ("s1", ["t2"])).start()
    assert book.wait_settled(["s1"], 5)
    assert not book.wait_settled(["s2"], 0.01)
    book.settled("s2", "sub")
    assert book.wait_settled(["s1", "s2"], 0.01)


def test_a_batch_of_writers_names_its_paths_per_model_before_any_scan() -> None:
    owners = {"w1": A, "w2": B, "b1": B, "e1": A, "r1": A}
    calls = [
        call("Write", "w1", file_path="/r/a.py", content="x"),
        call("Bash", "b1", command="make"),
        call("Write", "w2", file_path="/r/b.py", content="y"),
        call("Edit", "e1", file_path="/r/c.py", old_string="a", new_string="b"),
        call("Read", "r1", file_path="/r/d.py"),
    ]
    assert plan_batch(calls, owners.__getitem__) == [
        BatchPart(A, frozenset({"/r/a.py", "/r/c.py"})),
        BatchPart(B, None),  # a Write next to a Bash of the same model: one scan covers both
    ]


def test_notebooks_unknown_tools_and_readers() -> None:
    def owner(tool_id: str) -> Attribution:
        return A

    notebook = [call("NotebookEdit", "n", notebook_path="/r/x.ipynb", new_source="1")]
    assert plan_batch(notebook, owner) == [BatchPart(A, frozenset({"/r/x.ipynb"}))]
    assert plan_batch([call("mcp__thing__do", "m")], owner) == [BatchPart(A, None)]
    assert plan_batch([call("Write", "w")], owner) == [BatchPart(A, None)]  # no path: scan
    readers = [call("Read", "r"), call("Grep", "g"), call("Agent", "t", prompt="go")]
    assert plan_batch(readers, owner) == []


def test_task_notifications_are_told_from_real_prompts() -> None:
    prompt = (
        "<task-notification>\n<task-id>bujm23hzt</task-id>\n"
        "<tool-use-id>toolu_0eb788a39c99489e0975</tool-use-id>\n"
        "<status>completed</status>\n</task-notification>"
    )
    assert notified_tool_ids(prompt) == ["toolu_0eb788a39c99489e0975"]
    assert notified_tool_ids("please explain <task-notification> tags") is None
    assert notified_tool_ids("fix the bug") is None
    assert notified_tool_ids("fix the bug", "user") is None
    assert notified_tool_ids("fix the bug", "sdk") is None
    assert notified_tool_ids("check the build again", "loop_wakeup") == []
    assert notified_tool_ids("a peer says hi", "system") == []
