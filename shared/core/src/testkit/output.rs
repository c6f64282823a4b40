//! A recording [`Output`]: the transport of the carry, background and webhook tests.

use alloc::collections::VecDeque;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};

use crate::app::{DataPoint, NotSent, Output};

/// One POST the core asked for.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) url: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Post {
    /// A header's value, by lower-case name.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Records lines, posts, queued messages and data points; answers posts from a
/// script (then with `default_answer`). `QUEUE`: the platform has a webhook queue.
pub(crate) struct Recorder<const QUEUE: bool> {
    pub(crate) lines: RefCell<Vec<(String, bool)>>,
    pub(crate) posts: RefCell<Vec<Post>>,
    pub(crate) queued: RefCell<Vec<String>>,
    pub(crate) points: RefCell<Vec<DataPoint>>,
    /// Answers for the next posts, in order.
    pub(crate) script: RefCell<VecDeque<Result<u16, NotSent>>>,
    /// The answer once the script is used up.
    pub(crate) default_answer: Result<u16, NotSent>,
    /// Whether `enqueue` accepts messages.
    pub(crate) queue_accepts: Cell<bool>,
}

impl<const QUEUE: bool> Default for Recorder<QUEUE> {
    fn default() -> Self {
        Self {
            lines: RefCell::default(),
            posts: RefCell::default(),
            queued: RefCell::default(),
            points: RefCell::default(),
            script: RefCell::default(),
            default_answer: Ok(200),
            queue_accepts: Cell::new(true),
        }
    }
}

impl<const QUEUE: bool> Recorder<QUEUE> {
    /// A recorder answering every post with `answer`.
    pub(crate) fn answering(answer: Result<u16, NotSent>) -> Self {
        Self {
            default_answer: answer,
            ..Self::default()
        }
    }

    /// Lines whose JSON `kind` is `kind`.
    pub(crate) fn lines_of(&self, kind: &str) -> Vec<(String, bool)> {
        let needle = alloc::format!("\"kind\":\"{kind}\"");
        self.lines
            .borrow()
            .iter()
            .filter(|(line, _)| line.contains(&needle))
            .cloned()
            .collect()
    }
}

impl<const QUEUE: bool> Output for Recorder<QUEUE> {
    const QUEUE: bool = QUEUE;

    fn line(&self, line: &str, error: bool) {
        self.lines.borrow_mut().push((line.to_string(), error));
    }

    async fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> Result<u16, NotSent> {
        self.posts.borrow_mut().push(Post {
            url: url.to_string(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body,
        });
        let answer = self
            .script
            .borrow_mut()
            .pop_front()
            .unwrap_or(self.default_answer);
        answer
    }

    async fn enqueue(&self, messages: &[String]) -> bool {
        if !self.queue_accepts.get() {
            return false;
        }
        self.queued.borrow_mut().extend(messages.iter().cloned());
        true
    }

    fn data_points(&self, points: &[DataPoint]) {
        self.points.borrow_mut().extend(points.iter().cloned());
    }
}

/// A platform without a webhook queue (Spin).
pub(crate) type Recording = Recorder<false>;
/// A platform with a webhook queue (Workers).
pub(crate) type QueueRecording = Recorder<true>;
