//! Paginated lists: stable cursors, sorted names, nothing lost or repeated, bad cursors
//! refused, on both eras.

mod common;

use common::{Client, connect, error, limits, plain_tool, req, req26, result};
use mcplex_core::Server;
use serde_json::{Value, json};

/// A server with 250 tools, registered out of order, listed 100 to a page.
fn many_tools() -> Server {
    // 97 and 250 are coprime, so this visits every index once, out of order.
    (0..250)
        .map(|i| (i * 97) % 250)
        .fold(Server::builder(), |builder, i| {
            builder.tool(plain_tool(&format!("t{i:03}")))
        })
        .limits(limits(|l| l.page_size = 100))
        .build()
}

/// Walks every page of `tools/list`; `build` makes the request for an id and params.
async fn all_pages(client: &mut Client, build: fn(i64, Value) -> Value) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    for id in 1.. {
        let params = match &cursor {
            Some(c) => json!({ "cursor": c }),
            None => json!({}),
        };
        let response = client.request(build(id, params)).await;
        let page = result(&response).clone();
        cursor = page["nextCursor"].as_str().map(str::to_owned);
        pages.push(page);
        if cursor.is_none() || id > 10 {
            break;
        }
    }
    pages
}

fn check_pages(pages: &[Value]) {
    let sizes: Vec<usize> = pages
        .iter()
        .map(|p| p["tools"].as_array().expect("tools").len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    let cursors: Vec<bool> = pages.iter().map(|p| p["nextCursor"].is_string()).collect();
    assert_eq!(cursors, [true, true, false]);
    let names: Vec<String> = pages
        .iter()
        .flat_map(|p| p["tools"].as_array().expect("tools").iter())
        .map(|t| t["name"].as_str().expect("name").to_owned())
        .collect();
    let expected: Vec<String> = (0..250).map(|i| format!("t{i:03}")).collect();
    assert_eq!(names, expected, "every tool once, in name order");
}

#[tokio::test]
async fn tools_list_pages_on_a_stateful_session() {
    let server = many_tools();
    let mut client = connect(&server);
    client.initialize("2025-11-25", json!({})).await;
    let pages = all_pages(&mut client, |id, params| req(id, "tools/list", params)).await;
    check_pages(&pages);
    for page in &pages {
        assert!(
            page.get("ttlMs").is_none() && page.get("resultType").is_none(),
            "{page}"
        );
    }

    // The same cursor gives the same page again.
    let cursor = pages[0]["nextCursor"].clone();
    let again = client
        .request(req(50, "tools/list", json!({ "cursor": cursor })))
        .await;
    assert_eq!(result(&again), &pages[1]);
}

#[tokio::test]
async fn tools_list_pages_on_2026() {
    let server = many_tools();
    let mut client = connect(&server);
    let pages = all_pages(&mut client, |id, params| req26(id, "tools/list", params)).await;
    check_pages(&pages);
    for page in &pages {
        assert_eq!(page["resultType"], "complete", "{page}");
        assert!(page["ttlMs"].is_u64(), "{page}");
        assert!(page["cacheScope"].is_string(), "{page}");
    }
}

#[tokio::test]
async fn a_bogus_cursor_is_invalid_params() {
    let server = many_tools();
    let mut client = connect(&server);
    client.initialize("2025-11-25", json!({})).await;
    // Cursors are opaque: anything the server did not hand out is refused.
    let cursors = ["bogus", "", "%%%", "bW9yZQ", &"A".repeat(70)];
    for (id, cursor) in (1..).zip(cursors) {
        let response = client
            .request(req(id, "tools/list", json!({ "cursor": cursor })))
            .await;
        assert_eq!(response["id"], id);
        assert_eq!(error(&response)["code"], -32602, "{cursor:?}: {response}");
        let response = client
            .request(req26(id + 100, "tools/list", json!({ "cursor": cursor })))
            .await;
        assert_eq!(error(&response)["code"], -32602, "{cursor:?}: {response}");
    }
}
