//! Behaviour of the state traits' in-memory implementations.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use mcplex_core::state::memory::{
    MemoryEventStore, MemoryFanout, MemoryKvStore, MemorySessionStore,
};
use mcplex_core::state::{
    EventId, EventStore, Fanout, KvStore, SessionId, SessionRecord, SessionStore, StreamId, Topic,
};
use mcplex_protocol::ProtocolVersion;
use mcplex_protocol::model::LoggingLevel;

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

/// The next item if one is ready now, without waiting.
async fn next_now(sub: &mut mcplex_core::state::Subscription) -> Option<Option<Bytes>> {
    tokio::time::timeout(Duration::from_millis(50), sub.next())
        .await
        .ok()
}

// ---- ids and topics ----

#[test]
fn minted_session_ids_are_unique_and_parse() {
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let id = SessionId::mint();
        assert!(id.as_str().len() >= 32);
        assert!(id.as_str().bytes().all(|c| c.is_ascii_graphic()));
        assert_eq!(SessionId::parse(id.as_str()).as_ref(), Some(&id));
        assert!(seen.insert(id));
    }
}

#[test]
fn session_id_parse_rejects_bad_input() {
    let long = "a".repeat(SessionId::MAX_LEN + 1);
    for bad in [
        "",
        "abc",
        long.as_str(),
        "0123456789abcdef0123456789abcdeé",
        "0123456789abcdef 0123456789abcdef",
        "../0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef/..",
        "0123456789abcdef0123456789abcdef\n",
        "0123456789abcdef:0123456789abcdef",
    ] {
        assert_eq!(SessionId::parse(bad), None, "{bad:?}");
    }
    assert!(SessionId::parse(&"a".repeat(SessionId::MAX_LEN)).is_some());
    assert!(SessionId::parse("AZaz09_-AZaz09_-AZaz09_-AZaz09_-").is_some());
}

#[test]
fn session_id_serde_validates() {
    let id = SessionId::mint();
    let json = serde_json::to_string(&id).unwrap();
    assert_eq!(json, format!("\"{id}\""));
    assert_eq!(serde_json::from_str::<SessionId>(&json).unwrap(), id);
    assert!(serde_json::from_str::<SessionId>("\"../x\"").is_err());
}

#[test]
fn topics_are_prefixed_and_validated() {
    let id = SessionId::mint();
    assert_eq!(Topic::session(&id).as_str(), format!("mcplex:session:{id}"));
    assert!(Topic::events().as_str().starts_with("mcplex:"));
    assert_ne!(Topic::session(&id), Topic::events());
    assert!(Topic::subscription("abc.DEF_1:2-3").is_some());
    for bad in ["", "a b", "a/b", "é", "a\nb", &"x".repeat(200)] {
        assert_eq!(Topic::subscription(bad), None, "{bad:?}");
    }
    let longest = Topic::subscription(&"x".repeat(Topic::MAX_LEN - "mcplex:sub:".len())).unwrap();
    assert_eq!(longest.as_str().len(), Topic::MAX_LEN);
}

// ---- fanout ----

#[tokio::test]
async fn fanout_delivers_per_topic_without_leakage() {
    let fanout: Arc<dyn Fanout> = Arc::new(MemoryFanout::new());
    let a = Topic::session(&SessionId::mint());
    let c = Topic::events();
    let mut a1 = fanout.subscribe(&a).await.unwrap();
    let mut a2 = fanout.subscribe(&a).await.unwrap();
    let mut c1 = fanout.subscribe(&c).await.unwrap();

    for i in 0..3 {
        fanout.publish(&a, b(&format!("a{i}"))).await.unwrap();
    }
    fanout.publish(&c, b("c0")).await.unwrap();

    for sub in [&mut a1, &mut a2] {
        for i in 0..3 {
            assert_eq!(sub.next().await, Some(b(&format!("a{i}"))));
        }
        assert_eq!(next_now(sub).await, None, "nothing else on topic a");
    }
    assert_eq!(c1.next().await, Some(b("c0")));
    assert_eq!(next_now(&mut c1).await, None);
    assert_eq!(c1.topic(), &c);
}

#[tokio::test]
async fn fanout_publish_without_subscribers_keeps_nothing() {
    let fanout = MemoryFanout::new();
    let topic = Topic::events();
    fanout.publish(&topic, b("lost")).await.unwrap();
    assert_eq!(fanout.topic_count(), 0);
    let mut sub = fanout.subscribe(&topic).await.unwrap();
    assert_eq!(next_now(&mut sub).await, None);
}

#[tokio::test]
async fn fanout_drop_unsubscribes_and_topics_shrink() {
    let fanout = MemoryFanout::new();
    let topics: Vec<Topic> = (0..100)
        .map(|_| Topic::session(&SessionId::mint()))
        .collect();
    let mut subs = Vec::new();
    for topic in &topics {
        subs.push(fanout.subscribe(topic).await.unwrap());
        subs.push(fanout.subscribe(topic).await.unwrap());
    }
    assert_eq!(fanout.topic_count(), 100);
    // Drop one of each pair: topics stay while a subscriber remains.
    let rest: Vec<_> = subs
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| (i % 2 == 0).then_some(s))
        .collect();
    assert_eq!(fanout.topic_count(), 100);
    drop(rest);
    assert_eq!(fanout.topic_count(), 0);

    // A subscription after the map shrank works as before.
    let mut sub = fanout.subscribe(&topics[0]).await.unwrap();
    fanout.publish(&topics[0], b("again")).await.unwrap();
    assert_eq!(sub.next().await, Some(b("again")));
}

#[tokio::test]
async fn fanout_subscription_dropped_while_waiting_unsubscribes() {
    let fanout = MemoryFanout::new();
    let topic = Topic::events();
    let mut sub = fanout.subscribe(&topic).await.unwrap();
    assert_eq!(next_now(&mut sub).await, None);
    drop(sub);
    assert_eq!(fanout.topic_count(), 0);
}

#[tokio::test]
async fn fanout_lagging_subscriber_loses_oldest_without_blocking_publisher() {
    let fanout = MemoryFanout::with_capacity(4);
    let topic = Topic::events();
    let mut slow = fanout.subscribe(&topic).await.unwrap();
    let mut fast = fanout.subscribe(&topic).await.unwrap();

    // Far more than the buffer; the publisher never waits on the slow reader.
    let publish_all = async {
        for i in 0..1_000 {
            fanout.publish(&topic, b(&i.to_string())).await.unwrap();
        }
    };
    tokio::time::timeout(Duration::from_secs(5), publish_all)
        .await
        .expect("publishing must not block on a lagging subscriber");

    let mut got = Vec::new();
    while let Some(Some(payload)) = next_now(&mut slow).await {
        got.push(payload);
    }
    assert_eq!(
        got,
        (996..1_000).map(|i| b(&i.to_string())).collect::<Vec<_>>()
    );
    assert_eq!(slow.lost(), 996);

    // The other subscriber is affected the same way, independently.
    assert_eq!(fast.next().await, Some(b("996")));
    assert_eq!(fast.lost(), 996);
}

#[tokio::test]
async fn fanout_shutdown_ends_subscriptions() {
    let fanout = MemoryFanout::new();
    let topic = Topic::events();
    let mut sub = fanout.subscribe(&topic).await.unwrap();
    fanout.publish(&topic, b("last")).await.unwrap();
    fanout.shutdown();
    assert_eq!(sub.next().await, Some(b("last")));
    assert_eq!(sub.next().await, None);
    assert!(
        fanout
            .publish(&topic, b("x"))
            .await
            .unwrap_err()
            .is_unavailable()
    );
    assert!(fanout.subscribe(&topic).await.unwrap_err().is_unavailable());
    assert_eq!(fanout.topic_count(), 0);
}

#[tokio::test]
async fn fanout_dropped_ends_subscriptions() {
    let fanout = MemoryFanout::new();
    let mut sub = fanout.subscribe(&Topic::events()).await.unwrap();
    drop(fanout);
    assert_eq!(sub.next().await, None);
}

// ---- session store ----

fn record() -> SessionRecord {
    let mut record = SessionRecord::new(SessionId::mint(), ProtocolVersion::V2025_06_18);
    record.principal = Some("alice".into());
    record
}

#[tokio::test]
async fn session_store_create_load_save_remove() {
    let store: Arc<dyn SessionStore> = Arc::new(MemorySessionStore::default());
    let mut rec = record();
    store.create(rec.clone()).await.unwrap();
    assert!(store.create(rec.clone()).await.is_err(), "ids are unique");
    assert_eq!(store.load(&rec.id).await.unwrap(), Some(rec.clone()));
    assert_eq!(store.len().await.unwrap(), 1);
    assert!(!store.is_empty().await.unwrap());

    rec.log_level = Some(LoggingLevel::Warning);
    rec.subscriptions.insert("file:///a".into());
    rec.initialized = true;
    store.save(&rec).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap(), Some(rec.clone()));

    store.remove(&rec.id).await.unwrap();
    store.remove(&rec.id).await.unwrap();
    assert_eq!(store.load(&rec.id).await.unwrap(), None);
    assert!(store.save(&rec).await.unwrap_err().is_not_found());
    assert!(store.is_empty().await.unwrap());
}

#[test]
fn session_record_json_round_trip_and_ownership() {
    let rec = record();
    let json = serde_json::to_string(&rec).unwrap();
    assert_eq!(serde_json::from_str::<SessionRecord>(&json).unwrap(), rec);
    assert!(rec.is_owned_by(Some("alice")));
    assert!(!rec.is_owned_by(Some("bob")));
    assert!(!rec.is_owned_by(None));
    let minimal = format!(r#"{{"id":"{}","protocol_version":"2024-11-05"}}"#, rec.id);
    let old = serde_json::from_str::<SessionRecord>(&minimal).unwrap();
    assert!(old.subscriptions.is_empty() && !old.initialized);
}

#[tokio::test(start_paused = true)]
async fn session_store_idle_ttl() {
    let ttl = Duration::from_secs(60);
    let store = MemorySessionStore::new(ttl);
    let kept = record();
    let idle = record();
    store.create(kept.clone()).await.unwrap();
    store.create(idle.clone()).await.unwrap();

    // Loading refreshes the TTL; the idle record expires.
    tokio::time::advance(Duration::from_secs(40)).await;
    assert!(store.load(&kept.id).await.unwrap().is_some());
    tokio::time::advance(Duration::from_secs(40)).await;
    assert!(store.load(&kept.id).await.unwrap().is_some());
    assert_eq!(store.load(&idle.id).await.unwrap(), None);
    assert!(
        store.save(&idle).await.unwrap_err().is_not_found(),
        "no resurrection"
    );
    assert_eq!(store.len().await.unwrap(), 1);

    // Saving refreshes it too.
    tokio::time::advance(Duration::from_secs(59)).await;
    store.save(&kept).await.unwrap();
    tokio::time::advance(Duration::from_secs(59)).await;
    assert_eq!(store.sweep(), 0);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(store.sweep(), 1);
    assert_eq!(store.load(&kept.id).await.unwrap(), None);

    // An expired id may be created again.
    store.create(kept.clone()).await.unwrap();
    assert_eq!(store.len().await.unwrap(), 1);
}

#[tokio::test(start_paused = true)]
async fn session_store_many_sessions_expire() {
    let store = MemorySessionStore::new(MemorySessionStore::DEFAULT_IDLE_TTL);
    for _ in 0..100_000 {
        store
            .create(SessionRecord::new(
                SessionId::mint(),
                ProtocolVersion::V2025_11_25,
            ))
            .await
            .unwrap();
    }
    assert_eq!(store.len().await.unwrap(), 100_000);
    tokio::time::advance(MemorySessionStore::DEFAULT_IDLE_TTL - Duration::from_secs(1)).await;
    assert_eq!(store.sweep(), 0);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(store.sweep(), 100_000);
    assert_eq!(store.len().await.unwrap(), 0);
}

#[tokio::test(start_paused = true)]
async fn session_store_len_skips_expired_without_sweep() {
    let store = MemorySessionStore::new(Duration::from_secs(1));
    for _ in 0..10 {
        store.create(record()).await.unwrap();
    }
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(store.len().await.unwrap(), 0);
    assert_eq!(store.sweep(), 0);
}

// ---- event store ----

#[tokio::test]
async fn event_store_replays_in_order_after_the_given_event() {
    let store: Arc<dyn EventStore> = Arc::new(MemoryEventStore::default());
    let session = SessionId::mint();
    let s0 = StreamId::new(&session, 0);
    let s1 = StreamId::new(&session, 1);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(store.append(&s0, b(&format!("s0-{i}"))).await.unwrap());
        store.append(&s1, b(&format!("s1-{i}"))).await.unwrap();
    }
    for pair in ids.windows(2) {
        assert!(pair[0].seq() < pair[1].seq());
    }
    assert!(ids.iter().all(|id| id.stream() == &s0));

    let replay = store.replay_after(&ids[1]).await.unwrap().unwrap();
    assert_eq!(replay.stream, s0);
    assert_eq!(replay.stream.session(), &session);
    let got: Vec<_> = replay.events.iter().map(|(_, m)| m.clone()).collect();
    assert_eq!(got, vec![b("s0-2"), b("s0-3"), b("s0-4")]);
    let got_ids: Vec<_> = replay.events.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(got_ids, ids[2..].to_vec());

    let last = store.replay_after(&ids[4]).await.unwrap().unwrap();
    assert!(last.events.is_empty());
}

#[tokio::test]
async fn event_store_replay_never_crosses_streams() {
    let store = MemoryEventStore::default();
    let a = StreamId::new(&SessionId::mint(), 0);
    let other_session = StreamId::new(&SessionId::mint(), 0);
    let a_id = store.append(&a, b("a")).await.unwrap();
    let other_id = store.append(&other_session, b("other")).await.unwrap();
    store.append(&a, b("a2")).await.unwrap();

    // An id of one stream grafted onto another is unknown there.
    let grafted = EventId::new(a.clone(), other_id.seq());
    assert_eq!(store.replay_after(&grafted).await.unwrap(), None);
    let replay = store.replay_after(&a_id).await.unwrap().unwrap();
    assert_eq!(replay.events.len(), 1);
    assert_eq!(replay.events[0].1, b("a2"));
    let replay = store.replay_after(&other_id).await.unwrap().unwrap();
    assert_eq!(replay.stream, other_session);
    assert!(replay.events.is_empty());
}

#[tokio::test]
async fn event_store_unknown_ids() {
    let store = MemoryEventStore::default();
    let stream = StreamId::new(&SessionId::mint(), 3);
    let id = store.append(&stream, b("x")).await.unwrap();

    let unknown_stream = EventId::new(StreamId::new(&SessionId::mint(), 3), id.seq());
    assert_eq!(store.replay_after(&unknown_stream).await.unwrap(), None);
    let future = EventId::new(stream.clone(), id.seq() + 100);
    assert_eq!(store.replay_after(&future).await.unwrap(), None);
    let zero = EventId::new(stream.clone(), 0);
    assert_eq!(store.replay_after(&zero).await.unwrap(), None);

    store.remove_stream(&stream).await.unwrap();
    store.remove_stream(&stream).await.unwrap();
    assert_eq!(store.replay_after(&id).await.unwrap(), None);
    // The same stream id again: ids from before the removal stay unknown.
    store.append(&stream, b("y")).await.unwrap();
    store.append(&stream, b("z")).await.unwrap();
    assert_eq!(store.replay_after(&id).await.unwrap(), None);
}

#[test]
fn event_id_parse() {
    let stream = StreamId::new(&SessionId::mint(), 2);
    let id = EventId::new(stream.clone(), 42);
    let text = id.to_string();
    assert_eq!(text, format!("{}.2/42", stream.session()));
    let parsed = EventId::parse(&text).unwrap();
    assert_eq!(parsed, id);
    assert_eq!(parsed.stream(), &stream);
    assert_eq!(parsed.stream().ordinal(), 2);
    assert_eq!(StreamId::parse(&stream.to_string()), Some(stream.clone()));

    let s = stream.to_string();
    let long = format!("{s}/{}", "9".repeat(30));
    for bad in [
        "",
        "42",
        "/",
        "garbage",
        "../../etc/passwd",
        &format!("{s}/"),
        &format!("{s}/-1"),
        &format!("{s}/+1"),
        &format!("{s}/01"),
        &format!("{s}/1 "),
        &format!("{s}/1/2"),
        &format!("{}/1", stream.session()),
        &format!("{}.x/1", stream.session()),
        &long,
        "é.1/1",
    ] {
        assert_eq!(EventId::parse(bad), None, "{bad:?}");
    }
}

#[tokio::test]
async fn event_store_is_bounded_per_stream() {
    let store = MemoryEventStore::new(3);
    let stream = StreamId::new(&SessionId::mint(), 0);
    let mut ids = Vec::new();
    for i in 0..10 {
        ids.push(store.append(&stream, b(&i.to_string())).await.unwrap());
    }
    // Events 7, 8, 9 are kept: resuming after 6 (the newest dropped) is complete.
    let replay = store.replay_after(&ids[6]).await.unwrap().unwrap();
    let got: Vec<_> = replay.events.into_iter().map(|(_, m)| m).collect();
    assert_eq!(got, vec![b("7"), b("8"), b("9")]);
    // Resuming after 5 would miss 6: no replay rather than one with a gap.
    assert_eq!(store.replay_after(&ids[5]).await.unwrap(), None);
    assert_eq!(store.replay_after(&ids[0]).await.unwrap(), None);
}

#[tokio::test]
async fn event_store_caps_streams_dropping_least_recently_used() {
    let store = MemoryEventStore::new(8).with_max_streams(3);
    let session = SessionId::mint();
    let streams: Vec<_> = (0..4).map(|i| StreamId::new(&session, i)).collect();
    let mut first = Vec::new();
    for s in &streams[..3] {
        first.push(store.append(s, b("x")).await.unwrap());
    }
    // Use stream 0 again so stream 1 is the least recently used.
    assert!(store.replay_after(&first[0]).await.unwrap().is_some());
    store.append(&streams[3], b("x")).await.unwrap();
    assert_eq!(store.stream_count(), 3);
    assert_eq!(store.replay_after(&first[1]).await.unwrap(), None);
    assert!(store.replay_after(&first[0]).await.unwrap().is_some());
    assert!(store.replay_after(&first[2]).await.unwrap().is_some());
}

// ---- key-value store ----

/// Runs `f` on `threads` OS threads at once, each with its own runtime, and collects results.
fn on_threads<T: Send>(threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                scope.spawn(move || f(t))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn kv_incr_is_atomic_under_concurrency() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKvStore::new());
    on_threads(8, |_| {
        block_on(async {
            for _ in 0..1_000 {
                kv.incr("counter", 1).await.unwrap();
            }
        })
    });
    block_on(async {
        assert_eq!(kv.incr("counter", 0).await.unwrap(), 8_000);
        assert_eq!(kv.get("counter").await.unwrap(), Some(b("8000")));
        assert_eq!(kv.incr("counter", -8_001).await.unwrap(), -1);
    });
}

#[tokio::test]
async fn kv_get_set_and_type_errors() {
    let kv = MemoryKvStore::new();
    assert_eq!(kv.get("k").await.unwrap(), None);
    kv.set("k", b("v")).await.unwrap();
    assert_eq!(kv.get("k").await.unwrap(), Some(b("v")));
    let err = kv.incr("k", 1).await.unwrap_err();
    assert!(!err.is_unavailable() && !err.is_not_found());
    kv.set("n", b(&i64::MAX.to_string())).await.unwrap();
    assert!(kv.incr("n", 1).await.is_err());
    assert!(kv.list("k").await.is_err());
    kv.push_bounded("l", b("1"), 2).await.unwrap();
    assert!(kv.get("l").await.is_err());
    assert!(kv.incr("l", 1).await.is_err());
    assert_eq!(kv.list("missing").await.unwrap(), Vec::<Bytes>::new());
}

#[tokio::test]
async fn kv_push_bounded_trims_to_newest() {
    let kv = MemoryKvStore::new();
    for i in 1..=5u64 {
        assert_eq!(
            kv.push_bounded("board", b(&i.to_string()), 3)
                .await
                .unwrap(),
            i
        );
    }
    assert_eq!(
        kv.list("board").await.unwrap(),
        vec![b("3"), b("4"), b("5")]
    );
    assert_eq!(kv.push_bounded("board", b("6"), 1).await.unwrap(), 6);
    assert_eq!(kv.list("board").await.unwrap(), vec![b("6")]);
}

#[test]
fn kv_push_bounded_is_atomic_under_concurrency() {
    let kv: Arc<dyn KvStore> = Arc::new(MemoryKvStore::new());
    let per_thread = on_threads(8, |t| {
        block_on(async {
            let mut counts = Vec::new();
            for i in 0..100 {
                let value = b(&format!("{t}-{i}"));
                counts.push(kv.push_bounded("l", value, 50).await.unwrap());
            }
            counts
        })
    });
    let mut counts: Vec<u64> = per_thread.into_iter().flatten().collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=800).collect::<Vec<u64>>());
    assert_eq!(block_on(kv.list("l")).unwrap().len(), 50);
}
