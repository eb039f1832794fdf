//! The background halves of the path, as Lambda would run them: the scheduled relay (a pass every
//! 300 ms instead of every minute), the publisher on the change log's stream (retried from the
//! record a batch failed at, or from the batch's start when killed), and the notifier, fed from the
//! bus's queue with Lambda's asynchronous retries (two, then the dead-letter queue). Each may be
//! killed: its work is dropped at a random moment, as when the process dies, and picked up by the
//! next pass or retry.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use taskboard_log_notifier::handler::parse_envelope;
use tokio::time::Instant;

use crate::Rng;
use crate::system::{CLAIM_STALE_SECS, NOTIFIER_TIMEOUT, System};

/// Lambda retries a failed asynchronous invocation twice, then sends the event to the
/// dead-letter destination.
const ATTEMPTS: u32 = 3;

#[derive(Default)]
pub struct Workers {
    pub stop: AtomicBool,
    /// The faults have stopped: no more kills either.
    pub healed: AtomicBool,
    pub relay_kills: AtomicU64,
    pub publisher_kills: AtomicU64,
    /// Publisher loop iterations (SOAK_DEBUG: is it still turning?).
    publisher_passes: AtomicU64,
    /// Stream reads that failed (the event source mapping's poller retries them).
    pub stream_read_failures: AtomicU64,
    /// The publisher has not yet seen the stream empty since its last batch.
    stream_behind: AtomicBool,
    pub notifier_kills: AtomicU64,
    pub notifier_failures: AtomicU64,
    /// Events waiting for a retry: (when, attempts so far, envelope).
    pending: Mutex<VecDeque<(Instant, u32, Value)>>,
    /// Events that failed every attempt, for the runbook's re-drive.
    pub dead_letters: Mutex<Vec<Value>>,
    /// Notifier invocations running now.
    running: AtomicU64,
}

impl Workers {
    /// Is anything still waiting anywhere: the stream not yet read to its end, or a notifier
    /// invocation to (re)try or running?
    pub fn busy(&self) -> bool {
        self.stream_behind.load(Ordering::SeqCst) || self.notifier_busy()
    }

    /// Is a notifier invocation waiting to be (re)tried or running? (The notifier's loop ends on
    /// this alone: the publisher's loop may stop between a failed read and the next.)
    fn notifier_busy(&self) -> bool {
        self.running.load(Ordering::SeqCst) > 0
            || !self
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_empty()
    }

    /// One line for `SOAK_DEBUG`: where the background halves stand.
    pub fn status(&self) -> String {
        format!(
            "publisher passes {} behind {} read failures {} kills {}; notifier running {} pending {} failures {}",
            self.publisher_passes.load(Ordering::SeqCst),
            self.stream_behind.load(Ordering::SeqCst),
            self.stream_read_failures.load(Ordering::SeqCst),
            self.publisher_kills.load(Ordering::SeqCst),
            self.running.load(Ordering::SeqCst),
            self.pending.lock().map(|p| p.len()).unwrap_or(0),
            self.notifier_failures.load(Ordering::SeqCst),
        )
    }

    /// The runbook's re-drive: every dead letter back to the notifier.
    pub fn redrive(&self) -> usize {
        let letters: Vec<Value> =
            std::mem::take(&mut *self.dead_letters.lock().unwrap_or_else(|p| p.into_inner()));
        let n = letters.len();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.extend(letters.into_iter().map(|e| (Instant::now(), 0, e)));
        n
    }
}

/// Relay passes until told to stop; with `kill` probability a pass is cut off at a random moment.
pub async fn relay(system: &System, workers: &Workers, kill: f64, seed: u64) {
    let mut rng = Rng::new(seed);
    while !workers.stop.load(Ordering::SeqCst) {
        if rng.unit() < kill && !workers.healed.load(Ordering::SeqCst) {
            let cut_after = Duration::from_millis(1 + rng.below(20) as u64);
            if tokio::time::timeout(cut_after, system.relay.drain(50))
                .await
                .is_err()
            {
                workers.relay_kills.fetch_add(1, Ordering::SeqCst);
            }
        } else {
            let _ = system.relay.drain(50).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The publisher, on every batch the change log's stream holds, until told to stop. A failed
/// batch is read again from the record it names; a killed one from its first record, as Lambda
/// retries a batch whose invocation died.
pub async fn publisher(system: &System, workers: &Workers, kill: f64, seed: u64) {
    use taskboard_publisher::{Inserted, publish_batch};
    let mut rng = Rng::new(seed);
    while !workers.stop.load(Ordering::SeqCst) {
        workers.publisher_passes.fetch_add(1, Ordering::SeqCst);
        let mut stream = system.stream.lock().await;
        let records: Vec<Inserted> = match stream.read().await {
            Ok(changes) => changes
                .into_iter()
                .map(|c| Inserted::from_parts(c.sequence_number.clone(), &c.event_name, c.event()))
                .collect(),
            Err(_) => {
                workers.stream_read_failures.fetch_add(1, Ordering::SeqCst);
                workers.stream_behind.store(true, Ordering::SeqCst);
                drop(stream);
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        workers
            .stream_behind
            .store(!records.is_empty(), Ordering::SeqCst);
        let Some(first) = records.first().map(|r| r.sequence_number.clone()) else {
            drop(stream);
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let killing = !workers.healed.load(Ordering::SeqCst) && rng.unit() < kill;
        let retry_from = if killing {
            let cut = Duration::from_millis(1 + rng.below(30) as u64);
            match tokio::time::timeout(cut, publish_batch(&system.publisher, &records)).await {
                Ok(outcome) => outcome.failed_at,
                Err(_) => {
                    workers.publisher_kills.fetch_add(1, Ordering::SeqCst);
                    Some(first)
                }
            }
        } else {
            publish_batch(&system.publisher, &records).await.failed_at
        };
        if let Some(sequence) = retry_from {
            // The poller keeps trying until the shard iterator is back where the batch failed.
            while stream.rewind_to(&sequence).await.is_err() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// The notifier, invoked for every event the rule delivers, until told to stop. The queue is read
/// and the invocations run side by side, so no invocation waits on the queue.
pub async fn notifier(system: &System, workers: &Workers, kill: f64, seed: u64) {
    use futures_util::StreamExt;
    let done = || workers.stop.load(Ordering::SeqCst) && !workers.notifier_busy();
    let intake = async {
        while !done() {
            let envelopes = system.bus.receive().await;
            if envelopes.is_empty() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            for envelope in envelopes {
                workers
                    .pending
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_back((Instant::now(), 0, envelope));
            }
        }
    };
    let runner = async {
        let mut rng = Rng::new(seed);
        let mut running = futures_util::stream::FuturesUnordered::new();
        while !done() || !running.is_empty() {
            let due: Vec<(u32, Value)> = {
                let mut pending = workers.pending.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                let (ready, later): (Vec<_>, Vec<_>) =
                    pending.drain(..).partition(|(at, ..)| *at <= now);
                pending.extend(later);
                ready.into_iter().map(|(_, tries, e)| (tries, e)).collect()
            };
            for (tries, envelope) in due {
                let killing = !workers.healed.load(Ordering::SeqCst);
                let cut = (rng.unit() < kill && killing)
                    .then(|| Duration::from_millis(1 + rng.below(60) as u64));
                workers.running.fetch_add(1, Ordering::SeqCst);
                running.push(invoke(system, workers, tries, envelope, cut));
            }
            tokio::select! {
                Some(()) = running.next(), if !running.is_empty() => {}
                () = tokio::time::sleep(Duration::from_millis(20)) => {}
            }
        }
    };
    tokio::join!(intake, runner);
}

/// One invocation: handled, or failed or killed and retried as Lambda would.
async fn invoke(
    system: &System,
    workers: &Workers,
    tries: u32,
    envelope: Value,
    cut: Option<Duration>,
) {
    let ok = match parse_envelope(&envelope.to_string()) {
        Err(_) => true, // not a task event: nothing to retry
        Ok(event) => {
            // Killed at a random moment, or at the function's timeout.
            let after = cut.unwrap_or(NOTIFIER_TIMEOUT).min(NOTIFIER_TIMEOUT);
            match tokio::time::timeout(after, system.notifier.handle(event)).await {
                Ok(result) => result.is_ok(),
                Err(_) => {
                    workers.notifier_kills.fetch_add(1, Ordering::SeqCst);
                    false
                }
            }
        }
    };
    if !ok {
        workers.notifier_failures.fetch_add(1, Ordering::SeqCst);
        if tries + 1 >= ATTEMPTS {
            workers
                .dead_letters
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(envelope);
        } else {
            // Lambda retries about a minute later; here just past the claim window.
            let at =
                Instant::now() + Duration::from_secs(CLAIM_STALE_SECS) + Duration::from_millis(500);
            workers
                .pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push_back((at, tries + 1, envelope));
        }
    }
    workers.running.fetch_sub(1, Ordering::SeqCst);
}
