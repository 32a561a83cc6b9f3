//! The shared message board: the `demo://board` resource and the `post_message` tool, which
//! notifies the resource's subscribers.

use bytes::Bytes;
use mcplex_core::{
    Context, HandlerError, ReadResult, ResourceDef, ServerBuilder, TemplateVars, ToolDef,
    text_contents,
};
use schemars::JsonSchema;
use serde::Deserialize;

use super::tools::writes_shared_state;

/// The URI of the board resource.
pub const BOARD_URI: &str = "demo://board";

/// The board's list in the key-value store.
const KEY: &str = "demo:board";

/// How many messages the board keeps (the newest).
const KEEP: usize = 100;

const MAX_TEXT_CHARS: usize = 500;
const MAX_AUTHOR_CHARS: usize = 50;

/// The arguments of the post_message tool.
#[derive(Debug, Deserialize, JsonSchema)]
struct PostArgs {
    /// The message, 1 to 500 characters; line breaks become spaces (one message per line).
    #[schemars(length(min = 1, max = 500))]
    text: String,
    /// Who posts it, up to 50 characters. Default: "anonymous".
    #[serde(default = "default_author")]
    #[schemars(length(max = 50))]
    author: String,
}

fn default_author() -> String {
    "anonymous".to_owned()
}

pub(super) fn register(builder: ServerBuilder) -> ServerBuilder {
    builder
        .resource(
            ResourceDef::new(BOARD_URI, "board", read)
                .title("Message board")
                .description(
                    "The newest 100 messages posted with the post_message tool, oldest first, \
                     one \"author: text\" per line (empty when nothing was posted). Subscribe to \
                     be told of new messages.",
                )
                .mime_type("text/plain"),
        )
        .tool(
            ToolDef::new("post_message", post_message)
                .title("Post a message")
                .description(
                    "Posts a message to the shared board (resource demo://board) and returns \
                     \"posted message #N\", N counting every message ever posted. Subscribers \
                     of demo://board are notified. `text` is the message (1 to 500 \
                     characters), `author` who posts it (default \"anonymous\").",
                )
                .annotations(writes_shared_state()),
        )
}

async fn read(cx: Context, uri: String, _vars: TemplateVars) -> ReadResult {
    let lines = cx.kv().list(KEY).await?;
    let text = lines
        .iter()
        .map(|line| String::from_utf8_lossy(line))
        .collect::<Vec<_>>()
        .join("\n");
    Ok(text_contents(uri, text, "text/plain"))
}

async fn post_message(cx: Context, args: PostArgs) -> Result<String, HandlerError> {
    let text = one_line(&args.text);
    let chars = text.chars().count();
    if text.trim().is_empty() || chars > MAX_TEXT_CHARS {
        return Err(HandlerError::new(format!(
            "text must be 1 to {MAX_TEXT_CHARS} characters and not blank, got {chars}"
        )));
    }
    let author = one_line(&args.author);
    let author = author.trim();
    let author = if author.is_empty() {
        "anonymous"
    } else {
        author
    };
    let author_chars = author.chars().count();
    if author_chars > MAX_AUTHOR_CHARS {
        return Err(HandlerError::new(format!(
            "author must be at most {MAX_AUTHOR_CHARS} characters, got {author_chars}"
        )));
    }
    let line = Bytes::from(format!("{author}: {text}"));
    let number = cx.kv().push_bounded(KEY, line, KEEP).await?;
    super::notify_updated(&cx, BOARD_URI).await;
    Ok(format!("posted message #{number}"))
}

/// `text` with every line break replaced by a space.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}
