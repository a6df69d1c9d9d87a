//! The future-event list: a binary min-heap keyed by `(time, sequence)`.
//!
//! Ties at the same time pop in insertion order because the sequence number
//! grows with every push. Cancellation is lazy and belongs to the caller:
//! an event carries the generation of the entity it concerns, and the engine
//! drops it on pop when the entity has moved on (see the crate docs, rule 3).
//!
//! `std::collections::BinaryHeap` is used as is; only the entry is ours. An
//! entry is 16 bytes: the key `time << 24 | sequence` and the event packed
//! into a `u64` ([`Pack`]). Halving the entry from 32 bytes made the
//! district bench's heap (10⁵ pending needs) fit the cache much better; see
//! `benches/RESULTS.md`. The sequence has 24 bits: when it runs out, the
//! pending entries are renumbered in order, which keeps every tie's order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::Time;

/// Bits of the key that hold the sequence number.
const SEQ_BITS: u32 = 24;
const SEQ_LIMIT: u64 = 1 << SEQ_BITS;
/// Latest time the key can hold \[ms\] (about 34.8 years).
pub const MAX_TIME: Time = (1 << (64 - SEQ_BITS)) - 1;

/// An event that fits in 64 bits.
pub trait Pack: Copy {
    /// The event as 64 bits.
    fn pack(self) -> u64;
    /// The event back from [`Pack::pack`].
    fn unpack(bits: u64) -> Self;
}

/// A pending event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    key: u64,
    event: u64,
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so the max-heap pops the earliest `(time, seq)`. Keys are
    /// unique, so the event never decides.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Future-event list with insertion-order tie-breaking.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry>,
    next_seq: u64,
    _event: std::marker::PhantomData<E>,
}

impl<E: Pack> EventQueue<E> {
    /// An empty queue with room for `capacity` events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
            _event: std::marker::PhantomData,
        }
    }

    /// Schedules `event` at `time` (at most [`MAX_TIME`]).
    #[inline]
    pub fn push(&mut self, time: Time, event: E) {
        debug_assert!(time <= MAX_TIME, "time {time} ms beyond the queue's range");
        if self.next_seq == SEQ_LIMIT {
            self.renumber();
        }
        let key = (time << SEQ_BITS) | self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            key,
            event: event.pack(),
        });
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap
            .pop()
            .map(|e| (e.key >> SEQ_BITS, E::unpack(e.event)))
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|e| e.key >> SEQ_BITS)
    }

    /// Events in the queue, stale ones included.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Drops every event and restarts the sequence.
    pub fn clear(&mut self) {
        self.heap.clear();
        self.next_seq = 0;
    }

    /// Gives the pending entries sequence numbers 0, 1, ... in their order.
    #[cold]
    fn renumber(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_sorted_vec();
        // Sorted by the reversed order: latest first.
        entries.reverse();
        for (seq, e) in entries.iter_mut().enumerate() {
            e.key = ((e.key >> SEQ_BITS) << SEQ_BITS) | seq as u64;
        }
        self.next_seq = entries.len() as u64;
        self.heap = BinaryHeap::from(entries);
    }

    #[cfg(test)]
    fn force_sequence(&mut self, seq: u64) {
        self.next_seq = seq;
    }
}

impl Pack for (u32, u32) {
    fn pack(self) -> u64 {
        (u64::from(self.0) << 32) | u64::from(self.1)
    }
    fn unpack(bits: u64) -> Self {
        ((bits >> 32) as u32, bits as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Purpose, stream};
    use rand::RngExt;
    use std::collections::BTreeMap;

    /// Differential test: 10⁶ seeded random push / pop / cancel operations
    /// against a `BTreeMap` shadow must pop exactly the same live events in
    /// the same order. Cancellation follows the engine's lazy scheme: an
    /// entity's generation is bumped and its stale event is skipped on pop.
    #[test]
    fn matches_btreemap_shadow_over_a_million_operations() {
        const OPS: usize = 1_000_000;
        const ENTITIES: usize = 64;
        let mut rng = stream(2024, 0, Purpose::Arrivals, 99);
        let mut queue: EventQueue<(u32, u32)> = EventQueue::with_capacity(128);
        let mut shadow: BTreeMap<(Time, u64), u32> = BTreeMap::new();
        // Per entity: current generation and its live key in the shadow.
        let mut generation = [0u32; ENTITIES];
        let mut live: [Option<(Time, u64)>; ENTITIES] = [None; ENTITIES];
        let mut now: Time = 0;
        let mut shadow_seq = 0u64;
        // Start near the end of the sequence space so renumbering happens
        // (and is checked) within the test.
        queue.force_sequence(SEQ_LIMIT - 1000);
        let (mut pops, mut cancels, mut ties) = (0u64, 0u64, 0u64);

        for _ in 0..OPS {
            let op = rng.random_range(0..10u32);
            let entity = rng.random_range(0..ENTITIES);
            match op {
                // Push (replacing any live event of the entity = cancel + push).
                0..=4 => {
                    // Small offsets make many exact ties.
                    let t = now + rng.random_range(0..20u64);
                    if let Some(key) = live[entity].take() {
                        shadow.remove(&key);
                        cancels += 1;
                    }
                    generation[entity] += 1;
                    queue.push(t, (entity as u32, generation[entity]));
                    let seq = shadow_seq;
                    shadow_seq += 1;
                    if shadow.keys().any(|&(kt, _)| kt == t) {
                        ties += 1;
                    }
                    shadow.insert((t, seq), entity as u32);
                    live[entity] = Some((t, seq));
                }
                // Cancel without replacement.
                5..=6 => {
                    if let Some(key) = live[entity].take() {
                        shadow.remove(&key);
                        generation[entity] += 1;
                        cancels += 1;
                    }
                }
                // Pop the next live event.
                _ => {
                    let expected = shadow.pop_first();
                    let got = loop {
                        match queue.pop() {
                            Some((t, (e, g)))
                                if generation[e as usize] == g && live[e as usize].is_some() =>
                            {
                                break Some((t, e));
                            }
                            Some(_) => continue, // stale: lazily cancelled
                            None => break None,
                        }
                    };
                    assert_eq!(got, expected.map(|((t, _), e)| (t, e)));
                    if let Some((t, e)) = got {
                        assert!(t >= now, "time went backwards");
                        now = t;
                        live[e as usize] = None;
                        pops += 1;
                    }
                }
            }
        }
        assert!(pops > 100_000 && cancels > 100_000 && ties > 10_000);
    }

    #[test]
    fn renumbering_keeps_tie_order() {
        let mut q = EventQueue::with_capacity(4);
        q.force_sequence(SEQ_LIMIT - 3);
        for i in 0..10u32 {
            q.push(7, (i, 0));
        }
        q.push(3, (99, 0));
        assert_eq!(q.pop(), Some((3, (99, 0))));
        for i in 0..10u32 {
            assert_eq!(q.pop(), Some((7, (i, 0))));
        }
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::with_capacity(4);
        for i in 0..100u32 {
            q.push(5, (i, 1));
        }
        q.push(4, (1000, 2));
        assert_eq!(q.pop(), Some((4, (1000, 2))));
        for i in 0..100u32 {
            assert_eq!(q.pop(), Some((5, (i, 1))));
        }
        assert!(q.is_empty());
    }
}
