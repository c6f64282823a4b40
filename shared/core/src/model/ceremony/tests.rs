use super::*;
use crate::testkit::TestEnv;

fn ceremony(env: &TestEnv, purpose: Purpose, user: Option<&str>) -> Ceremony {
    Ceremony {
        purpose,
        user_id: user.map(String::from),
        session_id: None,
        mfa_shard: None,
        expires_at_ms: crate::Clock::now_ms(&*env.clock) + TTL_MS,
    }
}

#[test]
fn a_challenge_is_consumed_exactly_once() {
    let env = TestEnv::new();
    let issued = ceremony(&env, Purpose::SignIn, None);
    let now = crate::Clock::now_ms(&*env.clock);
    pollster::block_on(async {
        let challenge = issue(env.atomic_store(), env.random_source(), &issued)
            .await
            .unwrap();
        assert_eq!(challenge.len(), CHALLENGE_BYTES);
        assert_eq!(
            consume(env.atomic_store(), &challenge, now).await.unwrap(),
            Some(issued)
        );
        assert_eq!(
            consume(env.atomic_store(), &challenge, now).await.unwrap(),
            None
        );
    });
}

#[test]
fn concurrent_consumers_of_one_challenge_get_it_once_between_them() {
    let env = TestEnv::new();
    let issued = ceremony(&env, Purpose::SignIn, None);
    let now = crate::Clock::now_ms(&*env.clock);
    let challenge =
        pollster::block_on(issue(env.atomic_store(), env.random_source(), &issued)).unwrap();
    env.interleave(true);
    let results = pollster::block_on(futures::future::join_all(
        (0..5).map(|_| consume(env.atomic_store(), &challenge, now)),
    ));
    env.interleave(false);
    let won = results
        .into_iter()
        .filter(|r| matches!(r, Ok(Some(_))))
        .count();
    assert_eq!(won, 1);
}

#[test]
fn an_expired_unknown_or_misshapen_challenge_is_nothing() {
    let env = TestEnv::new();
    let issued = ceremony(
        &env,
        Purpose::Register,
        Some("0123456789abcdef0123456789abcdef"),
    );
    pollster::block_on(async {
        let challenge = issue(env.atomic_store(), env.random_source(), &issued)
            .await
            .unwrap();
        let late = issued.expires_at_ms;
        assert_eq!(
            consume(env.atomic_store(), &challenge, late).await.unwrap(),
            None
        );
        assert_eq!(
            consume(env.atomic_store(), &[7; 32], 0).await.unwrap(),
            None
        );
        assert_eq!(
            consume(env.atomic_store(), &[7; 16], 0).await.unwrap(),
            None
        );
    });
}

#[test]
fn a_challenge_issued_to_a_user_is_tracked_for_erasure() {
    let env = TestEnv::new();
    let user = "0123456789abcdef0123456789abcdef";
    let issued = ceremony(&env, Purpose::Reauthenticate, Some(user));
    pollster::block_on(async {
        let challenge = issue(env.atomic_store(), env.random_source(), &issued)
            .await
            .unwrap();
        assert_eq!(
            crate::model::pending::erase_all(env.atomic_store(), user)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            consume(env.atomic_store(), &challenge, 0).await.unwrap(),
            None
        );
    });
}
