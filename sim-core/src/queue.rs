//! The future-event list: a binary min-heap keyed by `(time, sequence)`.
//!
//! Ties at the same time pop in insertion order because the sequence number
//! grows with every push. Cancellation is lazy and belongs to the caller:
//! an event carries the generation of the entity it concerns, and the engine
//! drops it on pop when the entity has moved on (see the crate docs, rule 3).
//! `std::collections::BinaryHeap` is used as is; only the ordering is ours.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::Time;

/// A pending event.
#[derive(Clone, Copy, Debug)]
struct Entry<E> {
    /// `time << 64 | seq`: one integer comparison orders by time, then by
    /// insertion.
    key: u128,
    event: E,
}

impl<E> Entry<E> {
    fn time(&self) -> Time {
        (self.key >> 64) as Time
    }
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed, so the max-heap pops the earliest `(time, seq)`.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

/// Future-event list with insertion-order tie-breaking.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue with room for `capacity` events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`; returns its sequence number.
    #[inline]
    pub fn push(&mut self, time: Time, event: E) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let key = (u128::from(time) << 64) | u128::from(seq);
        self.heap.push(Entry { key, event });
        seq
    }

    /// Removes and returns the earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        self.heap.pop().map(|e| (e.time(), e.event))
    }

    /// Time of the earliest event.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(Entry::time)
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
                    let seq = queue.push(t, (entity as u32, generation[entity]));
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
                            Some((t, (e, g))) if generation[e as usize] == g
                                && live[e as usize].is_some() =>
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
    fn equal_times_pop_in_insertion_order() {
        let mut q = EventQueue::with_capacity(4);
        for i in 0..100u32 {
            q.push(5, i);
        }
        q.push(4, 1000);
        assert_eq!(q.pop(), Some((4, 1000)));
        for i in 0..100u32 {
            assert_eq!(q.pop(), Some((5, i)));
        }
        assert!(q.is_empty());
    }
}
