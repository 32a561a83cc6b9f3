//! The conformance toolset: everything the server scenarios of the official MCP conformance
//! suite (`@modelcontextprotocol/conformance`) expect a server under test to offer, under the
//! names the scenarios use.
//!
//! Run the suite against a server with `cargo xtask conformance`; it serves this toolset with
//! `mcplex-sse-server --toolset conformance` and checks both requirement sets (2025-11-25 and
//! 2026-07-28).
//!
//! | kind | name | what it does |
//! |------|------|--------------|
//! | tool | `test_simple_text` | one text block |
//! | tool | `test_image_content` | one PNG image block (a 1x1 pixel) |
//! | tool | `test_audio_content` | one WAV audio block (10 ms) |
//! | tool | `test_embedded_resource` | one embedded text resource, `test://embedded-resource` |
//! | tool | `test_multiple_content_types` | a text, an image and an embedded JSON resource |
//! | tool | `test_error_handling` | always fails: a result with `isError: true` |
//! | tool | `test_tool_with_logging` | three info log messages about 50 ms apart |
//! | tool | `test_logging_tool` | three info log messages at once (none without a log level) |
//! | tool | `test_tool_with_progress` | progress 0, 50 and 100 of 100, about 50 ms apart |
//! | tool | `test_reconnection` | logs that it started, then takes about 300 ms (a streamed response) |
//! | tool | `test_sampling` | asks the client's model for `prompt` (sampling) |
//! | tool | `test_elicitation` | asks the user for a username and an email address |
//! | tool | `test_elicitation_sep1034_defaults` | an elicitation form with a default for each field type |
//! | tool | `test_elicitation_sep1330_enums` | an elicitation form with each kind of choice field |
//! | tool | `test_input_required_result_elicitation` | asks `user_name` (elicitation), then greets |
//! | tool | `test_input_required_result_sampling` | asks `capital_question` (sampling) |
//! | tool | `test_input_required_result_list_roots` | asks `client_roots` (roots) |
//! | tool | `test_input_required_result_request_state` | checks the state it handed out; answers `state-ok` |
//! | tool | `test_input_required_result_multiple_inputs` | asks elicitation, sampling and roots at once |
//! | tool | `test_input_required_result_multi_round` | asks twice (`step1`, then `step2`) |
//! | tool | `test_input_required_result_tampered_state` | hands out state that must come back unaltered |
//! | tool | `test_input_required_result_capabilities` | asks only for what the client declared |
//! | tool | `test_missing_capability` | needs sampling whether or not the client declared it |
//! | tool | `test_streaming_elicitation` | asks the user a question (elicitation) |
//! | tool | `test_trigger_tool_change` | re-registers `test_dynamic_tool`: the tool list changes |
//! | tool | `test_trigger_prompt_change` | re-registers `test_dynamic_prompt`: the prompt list changes |
//! | tool | `json_schema_2020_12_tool` | an input schema with JSON Schema 2020-12 keywords |
//! | tool | `test_custom_header` | an argument mirrored into the `Mcp-Param-Region` header |
//! | resource | `test://static-text` | a text resource |
//! | resource | `test://static-binary` | a PNG image (base64 blob) |
//! | resource | `test://watched-resource` | a text resource to subscribe to |
//! | template | `test://template/{id}/data` | JSON naming the `id`, with completion of `id` |
//! | prompt | `test_simple_prompt` | one user message |
//! | prompt | `test_prompt_with_arguments` | `arg1` and `arg2` substituted, with completion |
//! | prompt | `test_prompt_with_embedded_resource` | embeds the resource `resourceUri` names |
//! | prompt | `test_prompt_with_image` | an image and a question about it |
//! | prompt | `test_input_required_result_prompt` | asks for a `context` (elicitation), then renders |
//!
//! The tools that ask the client for input return [`InputRequired`](mcplex_core::InputRequired);
//! core turns that into `input_required` results on 2026-07-28 and into server-to-client
//! requests on the stateful revisions, so every tool works on every revision.
//!
//! The toolset keeps its state (how often the lists changed) in the server's
//! [`KvStore`](mcplex_core::state::KvStore) under keys that start with `conformance:`.

use mcplex_core::ServerBuilder;
use mcplex_core::protocol::model::{Implementation, ToolAnnotations};
use schemars::JsonSchema;
use serde::Deserialize;

mod content;
mod dynamic;
mod input;
mod mrtr;
mod prompts;
mod resources;
mod schema;
mod streaming;

/// The server name the conformance toolset announces.
pub const SERVER_NAME: &str = "mcplex-conformance";

/// What the server tells the client's model about itself.
const INSTRUCTIONS: &str = "\
This is the mcplex conformance server: the fixtures the official MCP conformance suite expects \
of a server under test. Its tools, resources and prompts are named test_* and test://...; each \
returns a small fixed answer or exercises one protocol feature (content types, logging, \
progress, sampling, elicitation, multi round-trip requests, list changes).";

/// A 1x1 red pixel as a PNG, base64-encoded.
pub(crate) const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mO4YGAAAAMEATFKQqbbAAAAAElFTkSuQmCC";

/// Ten milliseconds of an 8 kHz, 8-bit mono square wave as a WAV file, base64-encoded.
pub(crate) const WAV_BASE64: &str = "UklGRnQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YVAAAACgoKCgoKCgoGBgYGBgYGBgoKCgoKCgoKBgYGBgYGBgYKCgoKCgoKCgYGBgYGBgYGCgoKCgoKCgoGBgYGBgYGBgoKCgoKCgoKBgYGBgYGBgYA==";

/// The conformance toolset, ready to build: add limits or state backends first if needed.
///
/// ```rust
/// let server = mcplex_toolsets::conformance().build();
/// assert_eq!(server.info().name, "mcplex-conformance");
/// assert!(server.capabilities().completions.is_some());
/// ```
pub fn conformance() -> ServerBuilder {
    let builder = mcplex_core::Server::builder()
        .info(Implementation {
            title: Some("mcplex conformance fixtures".to_owned()),
            description: Some(
                "The tools, resources and prompts the MCP conformance suite tests".to_owned(),
            ),
            ..Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION"))
        })
        .instructions(INSTRUCTIONS);
    let builder = content::register(builder);
    let builder = streaming::register(builder);
    let builder = input::register(builder);
    let builder = mrtr::register(builder);
    let builder = dynamic::register(builder);
    let builder = schema::register(builder);
    let builder = resources::register(builder);
    prompts::register(builder)
}

/// The arguments of a tool that takes none.
#[derive(Debug, Deserialize, JsonSchema)]
struct NoArgs {}

/// Annotations of a tool that changes nothing and reaches nothing outside the server.
fn read_only() -> ToolAnnotations {
    ToolAnnotations {
        read_only_hint: Some(true),
        open_world_hint: Some(false),
        ..ToolAnnotations::default()
    }
}
