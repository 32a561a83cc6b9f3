//! The per-message work every network raw ceiling does: one typed parse of a JSON-RPC request
//! and one serialization of its echo result, with nothing of MCP (no sessions, no dispatch, no
//! protocol revisions). `initialize` gets a fixed answer so that clients of the stateful
//! revisions can connect; notifications get none.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Request<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(borrow, default)]
    params: Option<Params<'a>>,
}

#[derive(Deserialize)]
struct Params<'a> {
    #[serde(borrow, default)]
    arguments: Option<Arguments<'a>>,
}

#[derive(Deserialize)]
struct Arguments<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct Reply<'a, R> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: R,
}

#[derive(Serialize)]
struct EchoResult<'a> {
    content: [Text<'a>; 1],
}

#[derive(Serialize)]
struct Text<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

/// The fixed `initialize` result.
const INITIALIZE_RESULT: &str = r#"{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"raw-echo","version":"0"}}"#;

/// Answers one JSON-RPC message into `out`; `Ok(false)` when it needs no answer (a
/// notification).
pub(crate) fn answer(message: &[u8], out: &mut Vec<u8>) -> serde_json::Result<bool> {
    let request: Request<'_> = serde_json::from_slice(message)?;
    let Some(id) = request.id else {
        return Ok(false);
    };
    if request.method == "initialize" {
        let result: &RawValue = serde_json::from_str(INITIALIZE_RESULT)?;
        serde_json::to_writer(
            &mut *out,
            &Reply {
                jsonrpc: "2.0",
                id,
                result,
            },
        )?;
        return Ok(true);
    }
    let text = request
        .params
        .and_then(|p| p.arguments)
        .map_or(Cow::Borrowed(""), |a| a.text);
    let reply = Reply {
        jsonrpc: "2.0",
        id,
        result: EchoResult {
            content: [Text {
                kind: "text",
                text: &text,
            }],
        },
    };
    serde_json::to_writer(&mut *out, &reply)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::answer;

    #[test]
    fn echoes_tool_calls_and_answers_initialize() {
        let mut out = Vec::new();
        let call = br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"a":1}}}"#;
        assert!(answer(call, &mut out).unwrap());
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"hi"}]}}"#
        );
        out.clear();
        let init = br#"{"jsonrpc":"2.0","id":"i","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}}}"#;
        assert!(answer(init, &mut out).unwrap());
        assert!(String::from_utf8(out).unwrap().contains(r#""result""#));
        let note = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert!(!answer(note, &mut Vec::new()).unwrap());
    }
}
