//! The demo toolset: the embedded default of every mcplex binary.
//!
//! It shows each part of MCP with a small, predictable example, so people can try a client
//! against it and tests can assert exact outcomes:
//!
//! | kind | name | what it does |
//! |------|------|--------------|
//! | tool | `echo` | returns its `text` argument |
//! | tool | `add` | adds two numbers; typed output `{"sum": number}` |
//! | tool | `long_task` | runs `steps` steps of `delay_ms` each, reporting progress; stops when cancelled |
//! | tool | `task_stats` | how many `long_task` runs started, completed and were cancelled |
//! | tool | `ask_user` | asks the user a question (elicitation) and reports the answer |
//! | tool | `increment` | adds to the shared counter and notifies subscribers of `demo://counter` |
//! | tool | `post_message` | posts to the shared board and notifies subscribers of `demo://board` |
//! | resource | `demo://counter` | the counter's value |
//! | resource | `demo://board` | the newest 100 board messages, one `author: text` per line |
//! | template | `notes://{name}` | built-in markdown notes, with completion of `name` |
//! | prompt | `summarize` | asks the model to summarize `text` in a `style` |
//!
//! All state lives in the server's [`KvStore`] under keys that
//! start with `demo:`, so several instances sharing a store share the counter, the board and
//! the task statistics, and updates reach subscribers on every instance.

use mcplex_core::protocol::model::Implementation;
use mcplex_core::state::KvStore;
use mcplex_core::{Context, HandlerError, ServerBuilder};

mod ask;
mod board;
mod counter;
mod notes;
mod summarize;
mod tasks;
mod tools;

pub use board::BOARD_URI;
pub use counter::COUNTER_URI;
pub use notes::NOTES_TEMPLATE;

/// The server name the demo toolset announces.
pub const SERVER_NAME: &str = "mcplex-demo";

/// What the server tells the client's model about itself.
const INSTRUCTIONS: &str = "\
This is the mcplex demo server. It offers small, predictable tools for trying out MCP:
- echo returns the text you give it; add adds two numbers and returns {\"sum\": ...}.
- long_task runs for a while and reports progress after each step; it stops early when the \
request is cancelled. task_stats tells how many long_task runs started, completed and were \
cancelled.
- ask_user asks the user a question and returns the answer (the client must support \
elicitation).
- increment adds to a shared counter (resource demo://counter); post_message posts to a shared \
message board (resource demo://board). Subscribe to these resources to be told when they change.
- Notes are readable as notes://{name} (for example notes://welcome); completion suggests names.
- The summarize prompt asks for a summary of a text in a brief, detailed or bullet-points style.";

/// The demo toolset, ready to build: add limits or state backends first if needed.
///
/// ```rust
/// use mcplex_core::Limits;
///
/// let server = mcplex_toolsets::demo().limits(Limits::default()).build();
/// assert_eq!(server.info().name, "mcplex-demo");
/// assert!(server.capabilities().tools.is_some());
/// ```
pub fn demo() -> ServerBuilder {
    let builder = mcplex_core::Server::builder()
        .info(Implementation {
            title: Some("mcplex demo".to_owned()),
            description: Some("Small example tools, resources and prompts for MCP".to_owned()),
            ..Implementation::new(SERVER_NAME, env!("CARGO_PKG_VERSION"))
        })
        .instructions(INSTRUCTIONS);
    let builder = tools::register(builder);
    let builder = tasks::register(builder);
    let builder = ask::register(builder);
    let builder = counter::register(builder);
    let builder = board::register(builder);
    let builder = notes::register(builder);
    summarize::register(builder)
}

/// Tells the subscribers of `uri`, on every instance, that it changed. The change itself has
/// already happened, so a failure to notify is logged rather than reported to the caller.
async fn notify_updated(cx: &Context, uri: &str) {
    if let Err(error) = cx.server().notify_resource_updated(uri).await {
        tracing::warn!(%uri, %error, "could not notify subscribers of a resource update");
    }
}

/// The integer at `key`; 0 when it was never set.
async fn read_counter(kv: &dyn KvStore, key: &str) -> Result<i64, HandlerError> {
    let Some(bytes) = kv.get(key).await? else {
        return Ok(0);
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| HandlerError::new(format!("the value at {key} is not an integer")))
}
