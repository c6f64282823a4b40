//! Documents through whole requests: isolation, sharing, limits, mass assignment,
//! listing and its pagination, and the admin read.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::json;

use crate::http::Method;
use crate::testkit::api::{answer, code, Kit};
use crate::testkit::Client;

fn create(kit: &Kit, owner: &Client, title: &str, body: &str) -> String {
    let outcome = kit.call(
        Some(owner),
        Method::Post,
        "/api/documents",
        Some(json!({"title": title, "body": body})),
    );
    let (status, json) = answer(&outcome);
    assert_eq!(status, 201, "{json}");
    json["id"].as_str().unwrap().to_string()
}

fn share(kit: &Kit, owner: &Client, id: &str, user_id: &str, permission: &str) -> u16 {
    let outcome = kit.call(
        Some(owner),
        Method::Post,
        &format!("/api/documents/{id}/shares"),
        Some(json!({"user_id": user_id, "permission": permission})),
    );
    outcome.response.status
}

fn put(kit: &Kit, client: &Client, id: &str, title: &str) -> crate::app::Outcome {
    kit.call(
        Some(client),
        Method::Put,
        &format!("/api/documents/{id}"),
        Some(json!({"title": title, "body": "edited"})),
    )
}

#[test]
fn creating_answers_the_document_with_a_random_128_bit_id() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let outcome = kit.call(
        Some(&alice),
        Method::Post,
        "/api/documents",
        Some(json!({"title": "Plan", "body": "<script>alert(1)</script>"})),
    );
    let (status, doc) = answer(&outcome);
    assert_eq!(status, 201);
    let id = doc["id"].as_str().unwrap();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(doc["owner_id"], alice.user_id.as_str());
    assert_eq!(doc["title"], "Plan");
    assert_eq!(
        doc["body"], "<script>alert(1)</script>",
        "stored as plain text"
    );
    assert!(doc["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(doc["created_at"], doc["updated_at"]);
    assert_eq!(
        outcome.response.header("content-type"),
        Some("application/json")
    );
    let other = create(&kit, &alice, "Plan", "x");
    assert_ne!(other, id);
}

#[test]
fn another_user_gets_404_for_every_action_exactly_as_for_a_missing_document() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let bob = kit.user("bob@example.com", &[]);
    let id = create(&kit, &alice, "Secret", "alice only");
    let missing = "0123456789abcdef0123456789abcdef";
    for target in [id.as_str(), missing, "not-an-id"] {
        let get = kit.get(&bob, &format!("/api/documents/{target}"));
        let put = put(&kit, &bob, target, "hijacked");
        let delete = kit.call(
            Some(&bob),
            Method::Delete,
            &format!("/api/documents/{target}"),
            None,
        );
        let shared = share(&kit, &bob, target, &bob.user_id, "write");
        for outcome in [&get, &put, &delete] {
            assert_eq!(outcome.response.status, 404, "{target}");
            assert_eq!(code(outcome), "not_found");
        }
        assert_eq!(shared, 404, "{target}");
    }
    let (_, list) = answer(&kit.get(&bob, "/api/documents"));
    assert_eq!(list["documents"], json!([]));
    let (status, doc) = answer(&kit.get(&alice, &format!("/api/documents/{id}")));
    assert_eq!((status, doc["title"].as_str()), (200, Some("Secret")));
}

#[test]
fn readers_read_writers_write_and_only_the_owner_deletes_or_shares() {
    let kit = Kit::new();
    let owner = kit.user("owner@example.com", &[]);
    let reader = kit.user("reader@example.com", &[]);
    let writer = kit.user("writer@example.com", &[]);
    let id = create(&kit, &owner, "Doc", "v1");
    assert_eq!(share(&kit, &owner, &id, &reader.user_id, "read"), 201);
    assert_eq!(share(&kit, &owner, &id, &writer.user_id, "write"), 201);

    let (status, seen) = answer(&kit.get(&reader, &format!("/api/documents/{id}")));
    assert_eq!(status, 200);
    assert!(
        seen.get("shares").is_none(),
        "sharees do not see who else has access"
    );
    assert_eq!(code(&put(&kit, &reader, &id, "no")), "forbidden");

    let (status, written) = answer(&put(&kit, &writer, &id, "by writer"));
    assert_eq!(status, 200);
    assert_eq!(written["title"], "by writer");
    assert_eq!(
        written["owner_id"],
        owner.user_id.as_str(),
        "owner unchanged"
    );

    for client in [&reader, &writer] {
        let delete = kit.call(
            Some(client),
            Method::Delete,
            &format!("/api/documents/{id}"),
            None,
        );
        assert_eq!(code(&delete), "forbidden");
        assert_eq!(share(&kit, client, &id, &client.user_id, "write"), 403);
    }
    let (_, by_owner) = answer(&kit.get(&owner, &format!("/api/documents/{id}")));
    assert_eq!(by_owner["shares"].as_array().unwrap().len(), 2);

    let delete = kit.call(
        Some(&owner),
        Method::Delete,
        &format!("/api/documents/{id}"),
        None,
    );
    assert_eq!(delete.response.status, 204);
    for client in [&owner, &reader, &writer] {
        assert_eq!(
            kit.get(client, &format!("/api/documents/{id}"))
                .response
                .status,
            404
        );
        let (_, list) = answer(&kit.get(client, "/api/documents"));
        assert_eq!(list["documents"], json!([]));
    }
}

#[test]
fn revoking_a_share_applies_to_the_next_request() {
    let kit = Kit::new();
    let owner = kit.user("owner@example.com", &[]);
    let writer = kit.user("writer@example.com", &[]);
    let id = create(&kit, &owner, "Doc", "v1");
    assert_eq!(share(&kit, &owner, &id, &writer.user_id, "write"), 201);
    assert_eq!(put(&kit, &writer, &id, "ok").response.status, 200);
    let unshare = kit.call(
        Some(&owner),
        Method::Delete,
        &format!("/api/documents/{id}/shares/{}", writer.user_id),
        None,
    );
    assert_eq!(unshare.response.status, 204);
    assert_eq!(put(&kit, &writer, &id, "late").response.status, 404);
    assert_eq!(
        kit.get(&writer, &format!("/api/documents/{id}"))
            .response
            .status,
        404
    );
    let again = kit.call(
        Some(&owner),
        Method::Delete,
        &format!("/api/documents/{id}/shares/{}", writer.user_id),
        None,
    );
    assert_eq!(again.response.status, 404, "no such share");
}

#[test]
fn a_share_can_be_downgraded_by_posting_it_again() {
    let kit = Kit::new();
    let owner = kit.user("owner@example.com", &[]);
    let other = kit.user("other@example.com", &[]);
    let id = create(&kit, &owner, "Doc", "v1");
    assert_eq!(share(&kit, &owner, &id, &other.user_id, "write"), 201);
    assert_eq!(share(&kit, &owner, &id, &other.user_id, "read"), 201);
    assert_eq!(code(&put(&kit, &other, &id, "no")), "forbidden");
    let (_, list) = answer(&kit.get(&other, "/api/documents"));
    assert_eq!(list["documents"].as_array().unwrap().len(), 1);
}

#[test]
fn sharing_with_unknown_malformed_or_owner_ids_is_a_400() {
    let kit = Kit::new();
    let owner = kit.user("owner@example.com", &[]);
    let id = create(&kit, &owner, "Doc", "v1");
    for (user_id, permission) in [
        ("0123456789abcdef0123456789abcdef", "read"),
        ("ZZZ", "read"),
        (owner.user_id.as_str(), "read"),
    ] {
        assert_eq!(
            share(&kit, &owner, &id, user_id, permission),
            400,
            "{user_id}"
        );
    }
    let other = kit.user("other@example.com", &[]);
    assert_eq!(share(&kit, &owner, &id, &other.user_id, "admin"), 400);
}

#[test]
fn bodies_cannot_set_protected_fields() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let mallory = kit.user("mallory@example.com", &[]);
    for extra in [
        "owner_id",
        "id",
        "created_at",
        "updated_at",
        "shares",
        "roles",
    ] {
        let mut body = json!({"title": "t", "body": "b"});
        body[extra] = json!(mallory.user_id);
        let outcome = kit.call(
            Some(&mallory),
            Method::Post,
            "/api/documents",
            Some(body.clone()),
        );
        assert_eq!(code(&outcome), "invalid_request", "{extra}");
        let id = create(&kit, &alice, "mine", "x");
        let outcome = kit.call(
            Some(&alice),
            Method::Put,
            &format!("/api/documents/{id}"),
            Some(body),
        );
        assert_eq!(code(&outcome), "invalid_request", "{extra}");
        let (_, doc) = answer(&kit.get(&alice, &format!("/api/documents/{id}")));
        assert_eq!(doc["owner_id"], alice.user_id.as_str());
    }
}

#[test]
fn title_and_body_lengths_are_limited() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let ok_title = "é".repeat(200);
    let ok_body = "b".repeat(10_000);
    let post = |title: &str, body: &str| {
        kit.call(
            Some(&alice),
            Method::Post,
            "/api/documents",
            Some(json!({"title": title, "body": body})),
        )
        .response
        .status
    };
    assert_eq!(post(&ok_title, &ok_body), 201);
    assert_eq!(post("t", ""), 201, "an empty body is fine");
    assert_eq!(post("", "b"), 400);
    assert_eq!(post(&"t".repeat(201), "b"), 400);
    assert_eq!(post("t", &"b".repeat(10_001)), 400);
    assert_eq!(
        post("t", &"b".repeat(17_000)),
        413,
        "the 16 KiB envelope first"
    );
}

#[test]
fn the_listing_holds_own_and_shared_documents_newest_first_in_pages() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let bob = kit.user("bob@example.com", &[]);
    let mut expected = Vec::new();
    for i in 0..5 {
        expected.push(create(&kit, &alice, &format!("a{i}"), "x"));
        let id = create(&kit, &bob, &format!("b{i}"), "x");
        assert_eq!(share(&kit, &bob, &id, &alice.user_id, "read"), 201);
        expected.push(id);
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut path = String::from("/api/documents?limit=3");
    loop {
        let (status, page) = answer(&kit.get(&alice, &path));
        assert_eq!(status, 200, "{page}");
        let docs = page["documents"].as_array().unwrap();
        assert!(docs.len() <= 3);
        seen.extend(docs.iter().map(|d| d["id"].as_str().unwrap().to_string()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/documents?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, expected);
    // Bob's cursor does not page Alice's listing.
    let (_, first) = answer(&kit.get(&alice, "/api/documents?limit=1"));
    let cursor = first["next_cursor"].as_str().unwrap();
    let outcome = kit.get(&bob, &format!("/api/documents?cursor={cursor}"));
    assert_eq!(code(&outcome), "invalid_request");
}

#[test]
fn stale_index_entries_grant_nothing_and_are_pruned() {
    use crate::model::document::{self, IndexEntry, Relation};
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let bob = kit.user("bob@example.com", &[]);
    let id = create(&kit, &alice, "Doc", "x");
    // Forge an index entry claiming Bob shares Alice's document.
    pollster::block_on(document::put_index(
        &*kit.env.store,
        &bob.user_id,
        &id,
        IndexEntry {
            rel: Relation::Shared,
            since_ms: 0,
        },
    ))
    .unwrap();
    let (_, list) = answer(&kit.get(&bob, "/api/documents"));
    assert_eq!(list["documents"], json!([]));
    assert_eq!(
        kit.get(&bob, &format!("/api/documents/{id}"))
            .response
            .status,
        404
    );
    let index = pollster::block_on(document::index_of(&*kit.env.store, &bob.user_id)).unwrap();
    assert!(index.is_empty(), "pruned");
}

#[test]
fn an_admin_may_read_any_document_audited_but_not_change_it() {
    let kit = Kit::new();
    let alice = kit.user("alice@example.com", &[]);
    let admin = kit.user("admin@example.com", &["admin"]);
    let auditor = kit.user("auditor@example.com", &["auditor"]);
    let id = create(&kit, &alice, "Doc", "x");
    let outcome = kit.get(&admin, &format!("/api/documents/{id}"));
    assert_eq!(outcome.response.status, 200);
    let event = outcome.audit.first().expect("admin read audited");
    assert_eq!(event.event.as_str(), "document_read_by_admin");
    assert_eq!(event.actor_id.as_deref(), Some(admin.user_id.as_str()));
    assert_eq!(event.subject_id.as_deref(), Some(alice.user_id.as_str()));
    assert_eq!(code(&put(&kit, &admin, &id, "no")), "forbidden");
    let delete = kit.call(
        Some(&admin),
        Method::Delete,
        &format!("/api/documents/{id}"),
        None,
    );
    assert_eq!(code(&delete), "forbidden");
    assert_eq!(
        kit.get(&auditor, &format!("/api/documents/{id}"))
            .response
            .status,
        404
    );
}

#[test]
fn a_cookie_client_needs_the_csrf_header_to_write() {
    let kit = Kit::new();
    let record = crate::testkit::seed_user(&kit.env, "cookie@example.com", true);
    let client = crate::testkit::sign_in(&kit.env, &record.id, "cookie");
    let mut req = crate::testkit::request(Method::Post, "/api/documents");
    req = crate::testkit::RequestExt::json(req, json!({"title": "t", "body": "b"}));
    req = crate::testkit::RequestExt::cookies(req, &[("__Host-access", &client.access)]);
    let outcome = kit.env.serve::<crate::functions::Api>(&req);
    assert_eq!(outcome.response.status, 403);
    let outcome = kit.call(
        Some(&client),
        Method::Post,
        "/api/documents",
        Some(json!({"title": "t", "body": "b"})),
    );
    assert_eq!(outcome.response.status, 201);
}

/// docs/contract.md §6: "the owner and an admin see `shares`" — in the listing as in
/// `GET /api/documents/{id}`; a plain sharee sees them in neither.
#[test]
fn the_listing_shows_shares_to_the_owner_and_an_admin_sharee_only() {
    let kit = Kit::new();
    let owner = kit.user("owner@example.com", &[]);
    let admin = kit.user("admin@example.com", &["admin"]);
    let reader = kit.user("reader@example.com", &[]);
    let id = create(&kit, &owner, "Shared", "with two");
    assert_eq!(share(&kit, &owner, &id, &admin.user_id, "read"), 201);
    assert_eq!(share(&kit, &owner, &id, &reader.user_id, "read"), 201);
    for (client, sees) in [(&owner, true), (&admin, true), (&reader, false)] {
        let (status, page) = answer(&kit.get(client, "/api/documents"));
        assert_eq!(status, 200);
        let listed = &page["documents"][0];
        assert_eq!(listed["id"], id.as_str());
        assert_eq!(listed.get("shares").is_some(), sees, "{}", client.user_id);
        let (_, single) = answer(&kit.get(client, &format!("/api/documents/{id}")));
        assert_eq!(single.get("shares").is_some(), sees, "{}", client.user_id);
    }
}
