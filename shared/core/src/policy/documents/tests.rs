use super::*;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use proptest::prelude::*;

const OWNER: &str = "00000000000000000000000000000001";
const READER: &str = "00000000000000000000000000000002";
const WRITER: &str = "00000000000000000000000000000003";
const STRANGER: &str = "00000000000000000000000000000004";

fn document() -> DocumentRecord {
    let mut shares = BTreeMap::new();
    shares.insert(READER.to_string(), ShareLevel::Read);
    shares.insert(WRITER.to_string(), ShareLevel::Write);
    DocumentRecord {
        id: "0000000000000000000000000000000d".into(),
        owner_id: OWNER.into(),
        title: "t".into(),
        body: "b".into(),
        created_at_ms: 0,
        updated_at_ms: 0,
        shares,
    }
}

#[test]
fn follows_the_table_row_by_row() {
    use Action::*;
    use Decision::*;
    let doc = document();
    let rows: [(&str, bool, [Decision; 4]); 6] = [
        (OWNER, false, [Allow, Allow, Allow, Allow]),
        (WRITER, false, [Allow, Allow, Forbidden, Forbidden]),
        (READER, false, [Allow, Forbidden, Forbidden, Forbidden]),
        (
            STRANGER,
            true,
            [AllowAsAdmin, Forbidden, Forbidden, Forbidden],
        ),
        (STRANGER, false, [NotFound, NotFound, NotFound, NotFound]),
        // An admin who is also a reader reads through the share, unaudited.
        (READER, true, [Allow, Forbidden, Forbidden, Forbidden]),
    ];
    for (user, read_any, expected) in rows {
        for (action, want) in [Read, Update, Delete, Share].into_iter().zip(expected) {
            assert_eq!(
                decide(&doc, user, read_any, action),
                want,
                "{user} {action:?}"
            );
        }
    }
}

proptest! {
    /// Without a relation and without read-any, every action is a 404.
    #[test]
    fn strangers_learn_nothing(user in "[0-9a-f]{32}", action in 0..4usize) {
        prop_assume!(![OWNER, READER, WRITER].contains(&user.as_str()));
        let action = [Action::Read, Action::Update, Action::Delete, Action::Share][action];
        prop_assert_eq!(decide(&document(), &user, false, action), Decision::NotFound);
    }

    /// Only the owner ever deletes or shares, whatever the shares and permission.
    #[test]
    fn only_the_owner_deletes_and_shares(
        user in "[0-9a-f]{32}",
        levels in proptest::collection::vec((any::<bool>(), any::<bool>()), 0..4),
        read_any in any::<bool>(),
    ) {
        let mut doc = document();
        doc.shares.clear();
        for (i, (share, write)) in levels.iter().enumerate() {
            if *share {
                let level = if *write { ShareLevel::Write } else { ShareLevel::Read };
                let id: String = alloc::format!("{:032x}", i + 16);
                doc.shares.insert(id, level);
            }
        }
        let owner = user == OWNER;
        for action in [Action::Delete, Action::Share] {
            let allowed = decide(&doc, &user, read_any, action).into_result().is_ok();
            prop_assert_eq!(allowed, owner);
        }
    }
}
