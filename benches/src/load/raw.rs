//! The raw ceiling over stdio: a minimal JSON-RPC echo with no MCP machinery, written the way
//! a careful hand-rolled server would be (buffered I/O, one typed parse, flush when the input
//! buffer drains).

use std::io::{BufRead, BufWriter, Write};

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Call<'a> {
    #[serde(borrow)]
    id: &'a RawValue,
    params: Params,
}

#[derive(Deserialize)]
struct Params {
    arguments: Arguments,
}

#[derive(Deserialize)]
struct Arguments {
    text: String,
}

#[derive(Serialize)]
struct Reply<'a> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: ReplyResult<'a>,
}

#[derive(Serialize)]
struct ReplyResult<'a> {
    content: [Text<'a>; 1],
}

#[derive(Serialize)]
struct Text<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

/// Serves the raw echo on stdin/stdout until stdin closes.
///
/// # Errors
///
/// Fails on I/O errors or a line that is not an echo call.
pub fn raw_stdio_server() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut input = std::io::BufReader::with_capacity(64 * 1024, stdin.lock());
    let mut output = BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            break;
        }
        let call: Call<'_> = serde_json::from_str(line.trim_end())?;
        let reply = Reply {
            jsonrpc: "2.0",
            id: call.id,
            result: ReplyResult {
                content: [Text {
                    kind: "text",
                    text: &call.params.arguments.text,
                }],
            },
        };
        serde_json::to_writer(&mut output, &reply)?;
        output.write_all(b"\n")?;
        if input.buffer().is_empty() {
            output.flush()?;
        }
    }
    output.flush()?;
    Ok(())
}
