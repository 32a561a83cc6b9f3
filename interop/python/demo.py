"""The demo-toolset session every Python interop script runs.

The official Python SDK client on protocol 2026-07-28, the stateless wire: `server/discover`
instead of the initialize handshake, protocol version and client capabilities in every request's
`_meta`, elicitation through `input_required` results that the client answers by retrying (MRTR),
and change notifications through `subscriptions/listen`. It runs against an mcplex server serving
`--toolset demo` and asserts on every tool, resource, template, prompt and completion.

`run` prints one line per check and a summary line, and returns the process exit code.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import mcp_types as types
from mcp import Client
from mcp.client.subscriptions import ResourceUpdated, Subscription

PROTOCOL = "2026-07-28"
ANSWER = "interop-python"
DEMO_TOOLS = ["add", "ask_user", "echo", "increment", "long_task", "post_message", "task_stats"]
CHECK_TIMEOUT = 20.0
REQUEST_TIMEOUT = 10.0
NOTIFICATION_TIMEOUT = 5.0


class CheckFailed(Exception):
    """An expectation did not hold."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def expect_equal(actual: object, expected: object, what: str) -> None:
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def describe(error: BaseException) -> str:
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(describe(inner) for inner in error.exceptions)
    if isinstance(error, TimeoutError) and not str(error):
        return f"timed out after {CHECK_TIMEOUT:g} s"
    return str(error) or type(error).__name__


def text(result: types.CallToolResult) -> str:
    expect(not result.is_error, f"the tool failed: {result.content!r}")
    texts = [item.text for item in result.content if isinstance(item, types.TextContent)]
    expect(texts, f"no text content in {result.content!r}")
    return "\n".join(texts)


class Session:
    """The checks, run in order against one connected client."""

    def __init__(self, client: Client, elicitations: list[types.ElicitRequestParams], peer: Any = None) -> None:
        self.client = client
        self.elicitations = elicitations
        self.peer = peer
        self.listed: list[str] = []
        self.called: set[str] = set()
        self.passed = 0
        self.failed = 0

    async def check(self, name: str, body: Callable[[], Awaitable[None]]) -> None:
        try:
            with anyio.fail_after(CHECK_TIMEOUT):
                await body()
        except Exception as error:  # noqa: BLE001 - every failure is reported, then the next check runs
            self.failed += 1
            print(f"FAIL - {name}: {describe(error)}", flush=True)
        else:
            self.passed += 1
            print(f"ok - {name}", flush=True)

    async def call(self, name: str, arguments: dict[str, Any], **options: Any) -> types.CallToolResult:
        self.called.add(name)
        return await self.client.call_tool(name, arguments, read_timeout_seconds=REQUEST_TIMEOUT, **options)

    async def call_from_peer(self, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Calls a tool from a second client on its own connection to the same server."""
        self.called.add(name)
        other = Client(
            self.peer,
            mode="auto",
            client_info=types.Implementation(name="mcplex-interop-python-peer", version="1.0.0"),
            read_timeout_seconds=REQUEST_TIMEOUT,
        )
        async with other:
            return await other.call_tool(name, arguments)

    async def read_text(self, uri: str) -> str:
        result = await self.client.read_resource(uri)
        expect_equal(len(result.contents), 1, f"number of contents of {uri}")
        contents = result.contents[0]
        expect_equal(str(contents.uri), uri, f"uri of the contents of {uri}")
        expect(isinstance(contents, types.TextResourceContents), f"{uri} has no text contents")
        return contents.text

    async def stats(self) -> dict[str, int]:
        result = await self.call("task_stats", {})
        structured = result.structured_content
        expect(structured is not None, f"task_stats returned no structuredContent: {result!r}")
        for key in ("started", "completed", "cancelled"):
            value = structured.get(key)
            expect(isinstance(value, int), f"task_stats {key} is not an integer: {structured!r}")
        expect_equal(json.loads(text(result)), structured, "task_stats text content, parsed as JSON")
        return structured

    async def next_update(self, subscription: Subscription, uri: str) -> None:
        seen = []
        with anyio.move_on_after(NOTIFICATION_TIMEOUT):
            async for event in subscription:
                if event == ResourceUpdated(uri):
                    return
                seen.append(event)
        raise CheckFailed(f"no notifications/resources/updated for {uri} within {NOTIFICATION_TIMEOUT:g} s (got {seen!r})")

    # ---- the checks ----

    async def discover(self) -> None:
        expect_equal(self.client.protocol_version, PROTOCOL, "adopted protocol version")
        session = self.client.session
        expect(session.discover_result is not None, "the client did not adopt a server/discover result")
        expect(session.initialize_result is None, "the client fell back to the initialize handshake")
        expect(
            PROTOCOL in session.discover_result.supported_versions,
            f"supportedVersions lacks {PROTOCOL}: {session.discover_result.supported_versions!r}",
        )
        capabilities = self.client.server_capabilities
        for capability in ("tools", "resources", "prompts", "completions"):
            expect(getattr(capabilities, capability) is not None, f"the server does not declare {capability}")

    async def list_tools(self) -> None:
        result = await self.client.list_tools()
        self.listed = sorted(tool.name for tool in result.tools)
        missing = [name for name in DEMO_TOOLS if name not in self.listed]
        expect(not missing, f"missing {', '.join(missing)} (listed: {', '.join(self.listed)})")
        for tool in result.tools:
            expect_equal(tool.input_schema.get("type"), "object", f"inputSchema.type of {tool.name}")

    async def echo(self) -> None:
        expect_equal(text(await self.call("echo", {"text": "hello from python"})), "hello from python", "echo text")

    async def add(self) -> None:
        result = await self.call("add", {"a": 2, "b": 40})
        expect_equal(result.structured_content, {"sum": 42}, "add structuredContent")
        expect_equal(json.loads(text(result)), {"sum": 42}, "add text content, parsed as JSON")

    async def progress(self) -> None:
        progress: list[tuple[float, float | None, str | None]] = []

        async def on_progress(value: float, total: float | None, message: str | None) -> None:
            progress.append((value, total, message))

        result = await self.call("long_task", {"steps": 3, "delay_ms": 50}, progress_callback=on_progress)
        expect_equal(text(result), "completed 3 steps", "long_task result")
        expect_equal(progress, [(i, 3, f"step {i} of 3") for i in (1, 2, 3)], "progress notifications")

    async def cancel(self) -> None:
        before = await self.stats()
        progress = 0
        completed = None
        with anyio.CancelScope() as scope:

            async def on_progress(_value: float, _total: float | None, _message: str | None) -> None:
                nonlocal progress
                progress += 1
                scope.cancel()

            completed = await self.call("long_task", {"steps": 50, "delay_ms": 100}, progress_callback=on_progress)
        expect(completed is None, f"long_task completed despite the cancelled scope: {completed!r}")
        expect(scope.cancelled_caught, "the cancel scope did not end the call")
        expect(progress >= 1, "no progress arrived before the cancellation")
        # The server learns of the cancellation through notifications/cancelled; give it a moment.
        after = await self.stats()
        with anyio.move_on_after(NOTIFICATION_TIMEOUT):
            while after["cancelled"] == before["cancelled"]:
                await anyio.sleep(0.05)
                after = await self.stats()
        expect_equal(after["cancelled"], before["cancelled"] + 1, f"task_stats cancelled (before: {before!r})")
        expect_equal(after["started"], before["started"] + 1, "task_stats started")
        expect_equal(after["completed"], before["completed"], "task_stats completed")

    async def task_stats(self) -> None:
        before = await self.stats()
        expect_equal(text(await self.call("long_task", {"steps": 2, "delay_ms": 0})), "completed 2 steps", "result")
        after = await self.stats()
        expected = {**before, "started": before["started"] + 1, "completed": before["completed"] + 1}
        expect_equal(after, expected, "task_stats")

    async def input_required(self) -> None:
        self.called.add("ask_user")
        result = await self.client.session.call_tool(
            "ask_user",
            {"question": "Which client is this?"},
            read_timeout_seconds=REQUEST_TIMEOUT,
            allow_input_required=True,
        )
        expect(isinstance(result, types.InputRequiredResult), f"expected an input_required result, got {result!r}")
        requests = list((result.input_requests or {}).values())
        expect_equal(len(requests), 1, "number of input requests")
        request = requests[0]
        expect(isinstance(request, types.ElicitRequest), f"the input request is not an elicitation: {request!r}")
        expect(isinstance(request.params, types.ElicitRequestFormParams), f"not a form elicitation: {request!r}")
        schema = request.params.requested_schema
        expect_equal(schema["properties"]["answer"]["type"], "string", "requestedSchema.properties.answer.type")
        expect("answer" in schema.get("required", []), f"answer is not required: {schema!r}")

    async def ask_user(self) -> None:
        since = len(self.elicitations)
        answer = text(await self.call("ask_user", {"question": "Which client is this?"}))
        expect_equal(len(self.elicitations) - since, 1, "number of elicitation callbacks")
        expect(ANSWER in answer, f"the result does not contain the answer: {answer!r}")

    async def increment(self) -> None:
        async with self.client.listen(resource_subscriptions=["demo://counter"]) as subscription:
            honored = subscription.honored.resource_subscriptions or []
            expect("demo://counter" in honored, f"the server did not honour the subscription: {honored!r}")
            value = int(await self.read_text("demo://counter"))
            if self.peer is None:
                result = await self.call("increment", {})
            else:
                result = await self.call_from_peer("increment", {})
            expect_equal(text(result), f"counter is now {value + 1}", "increment result")
            await self.next_update(subscription, "demo://counter")
            expect_equal(await self.read_text("demo://counter"), str(value + 1), "demo://counter after increment")

    async def post_message(self) -> None:
        message = f"hello board from python {os.getpid()}"
        async with self.client.listen(resource_subscriptions=["demo://board"]) as subscription:
            text(await self.call("post_message", {"text": message, "author": "interop"}))
            await self.next_update(subscription, "demo://board")
        board = await self.read_text("demo://board")
        expect(message in board, f"demo://board does not contain the message: {board!r}")

    async def list_resources(self) -> None:
        uris = [str(resource.uri) for resource in (await self.client.list_resources()).resources]
        for uri in ("demo://counter", "demo://board"):
            expect(uri in uris, f"resources/list lacks {uri}: {uris!r}")
        templates = (await self.client.list_resource_templates()).resource_templates
        patterns = [template.uri_template for template in templates]
        expect("notes://{name}" in patterns, f"resources/templates/list lacks notes://{{name}}: {patterns!r}")

    async def read_resources(self) -> None:
        counter = await self.read_text("demo://counter")
        expect(counter.lstrip("-").isdigit(), f"demo://counter is not an integer: {counter!r}")
        expect((await self.read_text("notes://welcome")).strip(), "notes://welcome is empty")

    async def prompt(self) -> None:
        source = "The quick brown fox jumps over the lazy dog."
        prompts = (await self.client.list_prompts()).prompts
        summarize = next((prompt for prompt in prompts if prompt.name == "summarize"), None)
        expect(summarize is not None, f"prompts/list lacks summarize: {[prompt.name for prompt in prompts]!r}")
        arguments = summarize.arguments or []
        expect(
            any(argument.name == "text" and argument.required for argument in arguments),
            f"summarize does not require text: {arguments!r}",
        )
        result = await self.client.get_prompt("summarize", {"text": source, "style": "bullet-points"})
        expect(result.messages, "the prompt has no messages")
        texts = [m.content.text for m in result.messages if isinstance(m.content, types.TextContent)]
        expect(any(source in t for t in texts), f"no message contains the text: {result.messages!r}")

    async def complete(self) -> None:
        result = await self.client.complete(
            types.ResourceTemplateReference(uri="notes://{name}"), {"name": "name", "value": "w"}
        )
        values = result.completion.values
        expect("welcome" in values, f"completion values lack welcome: {values!r}")
        expect(all(value.startswith("w") for value in values), f"a completion does not start with w: {values!r}")

    async def all_called(self) -> None:
        expect(self.listed, "tools/list gave no tools")
        uncalled = [name for name in self.listed if name not in self.called]
        expect(not uncalled, f"listed but never called: {', '.join(uncalled)}")

    async def run(self) -> None:
        incrementer = "increment" if self.peer is None else "increment by another client"
        checks = [
            (f"server/discover adopts protocol {PROTOCOL}", self.discover),
            ("tools/list lists the demo tools", self.list_tools),
            ("echo returns its text", self.echo),
            ("add returns the structured sum", self.add),
            ("long_task reports progress 1..3 of 3", self.progress),
            ("long_task cancelled through a cancel scope counts as cancelled", self.cancel),
            ("task_stats counts started, completed and cancelled tasks", self.task_stats),
            ("ask_user answers with an input_required elicitation", self.input_required),
            ("ask_user input_required is answered by the callback and retried", self.ask_user),
            (f"{incrementer} notifies demo://counter updated (subscriptions/listen)", self.increment),
            ("post_message appends to demo://board and notifies it", self.post_message),
            ("resources/list and resources/templates/list", self.list_resources),
            ("resources/read demo://counter and notes://welcome", self.read_resources),
            ("prompts/get summarize", self.prompt),
            ('completion/complete notes://{name} offers welcome for "w"', self.complete),
            ("every listed tool was called", self.all_called),
        ]
        for name, body in checks:
            await self.check(name, body)


async def run(label: str, server: Any, target: str, peer: Any = None) -> int:
    """Connects a client to `server` (anything `mcp.Client` takes) and runs every check, in order.

    With `peer` (anything `mcp.Client` takes, reaching the same server), a second client calls
    `increment`, so the resource update must cross connections.
    """
    elicitations: list[types.ElicitRequestParams] = []

    async def on_elicit(_context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        elicitations.append(params)
        return types.ElicitResult(action="accept", content={"answer": ANSWER})

    client = Client(
        server,
        mode="auto",
        client_info=types.Implementation(name="mcplex-interop-python", version="1.0.0"),
        elicitation_callback=on_elicit,
        read_timeout_seconds=REQUEST_TIMEOUT,
    )
    session = Session(client, elicitations, peer)
    try:
        async with client:
            await session.run()
    except Exception as error:  # noqa: BLE001 - connecting or closing failed; the checks catch their own
        session.failed += 1
        print(f"FAIL - session with {target}: {describe(error)}", flush=True)
    print(f"{label}: {session.passed} passed, {session.failed} failed", flush=True)
    return 0 if session.failed == 0 else 1
