//! The future-event list: a binary min-heap of the near future in front of
//! time buckets for the far future, keyed by `(time, sequence)`.
//!
//! Ties at the same time pop in insertion order because the sequence number
//! grows with every push. Cancellation is lazy and belongs to the caller:
//! an event carries the generation of the entity it concerns, and the engine
//! drops it on pop when the entity has moved on (see the crate docs, rule 3).
//!
//! # Entries
//!
//! An entry is 16 bytes: the key `time << 24 | sequence` and the event
//! packed into a `u64` ([`Pack`]). Keys are unique, so ordering entries by
//! key alone gives the `(time, sequence)` order wherever they are stored.
//! The sequence has 24 bits: when it runs out, every pending entry (in the
//! heap, the ring and the overflow alike) is renumbered in order, which
//! keeps every tie's order and never moves an entry between those parts.
//!
//! # Two modes
//!
//! *Direct* (the start, and after [`EventQueue::clear`]): every entry goes
//! into a `std::collections::BinaryHeap`. Small models (M/M/10: about ten
//! pending events) stay here, at the cost of a bare heap (see "Cost on
//! small queues" below).
//!
//! *Bucketed*: once the heap holds `SPILL_LEN` entries (checked every
//! `CHECK_EVERY` pushes), the queue splits time into buckets of
//! 2^`BUCKET_BITS` ms (about 1.1 minutes). The heap keeps only the
//! entries due before `edge`, the end of the *current* bucket; later ones
//! wait unsorted in a ring of `RING` buckets (about 12.4 days), and the
//! few beyond the ring in an overflow heap. When the heap runs dry, the next
//! non-empty bucket is copied into it and heapified in O(n), and overflow
//! entries that now fall inside the ring move into it. A district holds a
//! pending `SwapNeed` per rider, days ahead, and a pending `StageEnd` per
//! charging slot, hours ahead: with them out of the heap, the heap holds
//! about one bucket (with buckets of 2^18 ms, 540 entries on average at
//! 200,000 e-bikes, at most 1,800, instead of 30,000 to 90,000; a quarter
//! of that now), so pops stay in the L1 cache. See `benches/RESULTS.md`,
//! "Scaling with the district".
//!
//! The mode only changes where entries wait, never the order: a direct and
//! a bucketed queue pop the same sequence for the same pushes.
//!
//! Invariants in bucketed mode, with `b(t) = t >> BUCKET_BITS` and `current`
//! the current bucket (`edge = (current + 1) << BUCKET_BITS`):
//!
//! - every heap entry is due before `edge`; every other entry at or after it;
//! - ring slot `b & (RING - 1)` holds exactly the entries of bucket `b`, for
//!   `current < b <= current + RING`, so the slots of distinct pending
//!   buckets never collide and the first occupied slot after `current`'s
//!   (circularly) is the earliest bucket;
//! - the overflow holds exactly the entries with `b > current + RING`.
//!
//! A push before `edge` (even before the last popped time) goes into the
//! heap, so the queue stays a correct priority queue for any push order,
//! not only for the engine's non-decreasing clock.
//!
//! # The popped entry stays on top
//!
//! [`EventQueue::pop`] returns the heap's top but leaves it in place,
//! *held*. A handler nearly always pushes an event (an arrival the next
//! arrival, a charge's start its end): the first push after a pop takes
//! the held entry's place and sifts down once, where a pop and a push
//! would sift twice (a pop moves the last entry to the top, down to the
//! bottom and back up; a push sifts up). A pop with an entry still held
//! removes it first, as the pop it was spared would have. Keys are unique,
//! so the order of pops is the same either way; on M/M/10 this took 46.9
//! instructions off an event (572.8 to 525.9, `.ci/perf-guard`). Anything
//! that moves the heap's entries (spilling, renumbering) drops the held
//! entry first; `len` and `peek_time` look past it.
//!
//! # Memory
//!
//! A bucket is a linked list of fixed chunks of `CHUNK` entries from one
//! arena with a free list, not a `Vec` per bucket: a `Vec` keeps the
//! capacity of its busiest bucket, and over a lap of the ring every slot
//! would hold the capacity of a full near bucket (tens of MB at 200,000
//! e-bikes). Chunks cost about the pending entries plus one partly filled
//! chunk per occupied slot. The heap's buffer, the arena, the free list and
//! the overflow keep their capacity, so once they have reached their peak
//! no push or pop allocates.
//!
//! # Cost on small queues
//!
//! The engine inlines push and pop into its handlers and its event loop,
//! and LLVM's choices around them moved the M/M/10 speed guard
//! (`.ci/perf-guard`, instructions per event) by 1 to 6% with variants of
//! this file. What keeps it within 1%:
//!
//! - one test on the hot path of a push, `next_seq >= check_at`, the shape
//!   of a bare heap's test for the sequence's end; `check_at` is set so
//!   that this one test also catches the spill check (every `CHECK_EVERY`
//!   pushes in direct mode) and every bucketed push (0);
//! - everything else out of line in `#[cold]` functions (`push_slow`,
//!   `refill`), and `push` itself `#[inline(always)]` (with a bare
//!   `#[inline]`, LLVM stopped inlining it: +6%);
//! - no pointer into the queue escaping from those functions: no iterator
//!   borrowing a field (`drain()`) and no closure over a field (`retain`)
//!   handed to a call that is not inlined. Otherwise LLVM cannot prove
//!   that `self` is not captured, and every caller of `push` loses alias
//!   information (+2%). `cargo rustc --release -p sim-core --lib --
//!   --emit=llvm-ir` shows `captures(none)` on their `self` when it holds.
//!
//! Once pop has its second path (the refill), or push its slow one, LLVM
//! stops threading an unpacked event's tag straight into the engine's
//! `match` and dispatches twice; so the engine pops with
//! [`EventQueue::pop_packed`] and matches the packed tag itself (M/M/10
//! 510.0 to 499.5 instructions per event).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::Time;

/// Bits of the key that hold the sequence number.
const SEQ_BITS: u32 = 24;
const SEQ_LIMIT: u64 = 1 << SEQ_BITS;
/// Latest time the key can hold \[ms\] (about 34.8 years).
pub const MAX_TIME: Time = (1 << (64 - SEQ_BITS)) - 1;

/// A bucket is 2^`BUCKET_BITS` ms wide: 65,536 ms, about 1.1 minutes,
/// about 235 events at 200,000 e-bikes and 1,170 at a million (a refill
/// per that many pops). Chosen by measurement: widths of 2^16 to 2^22 ms
/// on the 10k, 50k and 200k districts under cachegrind (L1 and a 2 MiB L2
/// of this machine): 2^16 to 2^18 did best, within 1% of each other
/// (narrower buckets need a longer ring for the same span); 2^22 kept
/// most of the L2 gain but none of the instruction gain and half of the
/// L1 one. At a million e-bikes a bucket of 2^18 ms held about 4,700
/// events, and its heap outgrew the L1 cache; 2^16 took 5% off that
/// replication's CPU time and left 10k to 200k unchanged
/// (benches/RESULTS.md, 2026-12-07).
const BUCKET_BITS: u32 = 16;
/// Slots in the ring: `RING` buckets span 2^30 ms, about 12.4 days, beyond
/// the days-ahead `SwapNeed`s of the district (none of the 200k district's
/// pushes reaches that far), so the overflow stays nearly empty. 12 bytes
/// a slot.
const RING: usize = 1 << 14;
const RING_MASK: u64 = RING as u64 - 1;
/// Words of the ring's occupancy bitmap.
const WORDS: usize = RING / 64;
/// Entries per arena chunk: 512 bytes.
const CHUNK: usize = 32;
/// No chunk.
const NIL: u32 = u32::MAX;
/// Heap length at which a direct queue becomes bucketed. Measured under
/// cachegrind: 256 was a wash on `bishan-pilot` (about 440 pending: 2%
/// fewer instructions, 70% more L1 misses), and 4,096 left `courier-hub`
/// (peaks of about 1,000) 2% more instructions than 1,024.
const SPILL_LEN: usize = 1024;
/// Pushes between two looks at the heap's length in direct mode; the look
/// shares the hot path's one branch with the sequence's overflow check.
const CHECK_EVERY: u64 = 256;

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

impl Entry {
    /// Due time \[ms\].
    #[inline]
    fn time(self) -> Time {
        self.key >> SEQ_BITS
    }
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

/// The bucket of a time \[ms\].
#[inline]
fn bucket(time: Time) -> u64 {
    time >> BUCKET_BITS
}

/// Future-event list with insertion-order tie-breaking.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    /// Every pending entry due before `edge`.
    heap: BinaryHeap<Entry>,
    /// Every pending entry due at or after `edge`.
    far: Far,
    /// End of the current bucket \[ms\]; `Time::MAX` in direct mode, where
    /// `far` is empty.
    edge: Time,
    next_seq: u64,
    /// `next_seq` from which a push takes the slow path: in direct mode the
    /// next look at the heap's length (every `CHECK_EVERY` pushes, at most
    /// `SEQ_LIMIT`, when the sequence runs out); 0 in bucketed mode, where
    /// every push takes it to choose between the heap and `far`.
    check_at: u64,
    /// Whether the heap's top is the entry [`EventQueue::pop`] returned
    /// last, still in place (see the module docs, "The popped entry stays
    /// on top").
    held: bool,
    /// Buckets moved into the heap so far (see [`EventQueue::refills`]).
    refills: u64,
    _event: std::marker::PhantomData<E>,
}

impl<E: Pack> EventQueue<E> {
    /// An empty queue with room for `capacity` events before it reallocates.
    pub fn with_capacity(capacity: usize) -> Self {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            far: Far::default(),
            edge: Time::MAX,
            next_seq: 0,
            check_at: CHECK_EVERY,
            held: false,
            refills: 0,
            _event: std::marker::PhantomData,
        }
    }

    /// Schedules `event` at `time` (at most [`MAX_TIME`]).
    ///
    /// Always inlined, with one test on the fast path (see the module docs,
    /// "Cost on small queues").
    #[inline(always)]
    pub fn push(&mut self, time: Time, event: E) {
        debug_assert!(time <= MAX_TIME, "time {time} ms beyond the queue's range");
        let event = event.pack();
        if self.next_seq >= self.check_at {
            self.push_slow(time, event);
            return;
        }
        let key = (time << SEQ_BITS) | self.next_seq;
        self.next_seq += 1;
        self.place_near(Entry { key, event });
    }

    /// Puts an entry due before `edge` in the heap: in place of the held
    /// top if there is one (one sift down instead of a pop's sift and a
    /// push's), else as a push.
    #[inline(always)]
    fn place_near(&mut self, entry: Entry) {
        if self.held {
            self.held = false;
            if let Some(mut top) = self.heap.peek_mut() {
                *top = entry;
                return;
            }
        }
        self.heap.push(entry);
    }

    /// A push that renumbers or spills first, or any push in bucketed mode
    /// (where a call costs little next to the cache misses it saves).
    ///
    /// Neither this nor anything it calls may let a pointer into `self`
    /// escape (module docs, "Cost on small queues").
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, time: Time, event: u64) {
        if self.next_seq >= SEQ_LIMIT || self.edge == Time::MAX {
            self.check();
        }
        let entry = Entry {
            key: (time << SEQ_BITS) | self.next_seq,
            event,
        };
        self.next_seq += 1;
        if time < self.edge {
            self.place_near(entry);
        } else {
            self.far.place(entry);
        }
    }

    /// Removes and returns the earliest event. The entry stays on top of
    /// the heap, held, until the next push takes its place or the next
    /// pop removes it.
    #[inline]
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let (time, event) = self.pop_packed()?;
        Some((time, E::unpack(event)))
    }

    /// [`EventQueue::pop`] with the event still packed, for a caller that
    /// dispatches on the packed form itself.
    #[inline]
    pub fn pop_packed(&mut self) -> Option<(Time, u64)> {
        self.drop_held();
        let entry = match self.heap.peek() {
            Some(&entry) => entry,
            None => self.refill()?,
        };
        self.held = true;
        Some((entry.time(), entry.event))
    }

    /// Removes the held entry, if any, from the heap.
    #[inline(always)]
    fn drop_held(&mut self) {
        if self.held {
            self.held = false;
            self.heap.pop();
        }
    }

    /// The packed events of the two entries below the held top, the
    /// heap's second level: one of them pops next unless a push comes
    /// first. For prefetching the state they touch, nothing else: with no
    /// held top or fewer entries, what is there is returned.
    #[inline(always)]
    pub fn upcoming(&self) -> impl Iterator<Item = u64> + '_ {
        self.second_level().iter().map(|e| e.event)
    }

    /// The heap's second level (the top's two children, as far as they
    /// exist): past a held top, the earliest entry is one of them.
    #[inline(always)]
    fn second_level(&self) -> &[Entry] {
        let heap = self.heap.as_slice();
        &heap[heap.len().min(1)..heap.len().min(3)]
    }

    /// How many times a bucket has been moved into the heap: when this
    /// changes, [`EventQueue::near`] holds a new bucket.
    #[inline(always)]
    pub fn refills(&self) -> u64 {
        self.refills
    }

    /// The packed events of every entry in the heap (the held one
    /// included), in no order: in bucketed mode, the current bucket. For
    /// prefetching.
    pub fn near(&self) -> impl Iterator<Item = u64> + '_ {
        self.heap.as_slice().iter().map(|e| e.event)
    }

    /// Time of the earliest event, past a held one. With the heap empty in
    /// bucketed mode this scans the next bucket (the engine does not call
    /// it).
    pub fn peek_time(&self) -> Option<Time> {
        // Past a held top, the earliest heap entry is one of its children.
        let near = if self.held {
            self.second_level().iter().min_by_key(|e| e.key)
        } else {
            self.heap.peek()
        };
        match near {
            Some(entry) => Some(entry.time()),
            None => self.far.min_time(),
        }
    }

    /// Events in the queue, stale ones included.
    pub fn len(&self) -> usize {
        self.heap.len() - usize::from(self.held) + self.far.len()
    }

    /// Whether no event is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every event, restarts the sequence and returns to direct mode
    /// (keeping the buffers).
    pub fn clear(&mut self) {
        self.held = false;
        self.heap.clear();
        self.far.clear();
        self.edge = Time::MAX;
        self.next_seq = 0;
        self.check_at = CHECK_EVERY;
    }

    /// The rare cases of a push: renumbering, and spilling a grown heap;
    /// then the next `check_at`.
    fn check(&mut self) {
        // Renumbering and spilling move the heap's entries: the held one
        // leaves first.
        self.drop_held();
        if self.next_seq >= SEQ_LIMIT {
            self.renumber();
        }
        let direct = self.edge == Time::MAX;
        if direct && self.heap.len() >= SPILL_LEN {
            self.spill();
        }
        self.check_at = if self.edge == Time::MAX {
            (self.next_seq + CHECK_EVERY).min(SEQ_LIMIT)
        } else {
            0
        };
    }

    /// The heap is empty: moves the next bucket into it and returns its
    /// top, left in place. Only reached in bucketed mode, once per bucket
    /// (or at the very end).
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Option<Entry> {
        if self.far.len() == 0 {
            return None;
        }
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        self.far.advance(&mut entries);
        self.edge = (self.far.current + 1) << BUCKET_BITS;
        self.heap = BinaryHeap::from(entries);
        self.refills += 1;
        self.heap.peek().copied()
    }

    /// Turns a direct queue bucketed: the bucket of the earliest entry
    /// becomes the current one and later entries leave the heap.
    #[cold]
    fn spill(&mut self) {
        let first = self.heap.peek().map_or(0, |e| e.time());
        self.far.start(bucket(first));
        self.edge = (self.far.current + 1) << BUCKET_BITS;
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        self.keep_near(&mut entries);
        self.heap = BinaryHeap::from(entries);
    }

    /// Keeps the entries due before `edge` in `entries` and places the
    /// others in `far`. A plain loop, not `retain` with a closure over
    /// `far`: see [`EventQueue::push_slow`].
    fn keep_near(&mut self, entries: &mut Vec<Entry>) {
        let mut kept = 0;
        for i in 0..entries.len() {
            let e = entries[i];
            if e.time() < self.edge {
                entries[kept] = e;
                kept += 1;
            } else {
                self.far.place(e);
            }
        }
        entries.truncate(kept);
    }

    /// Gives every pending entry, wherever it is, sequence numbers 0, 1, ...
    /// in its order. Times do not change, so each entry goes back to the
    /// part of the queue it came from.
    #[cold]
    fn renumber(&mut self) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        self.far.drain_into(&mut entries);
        entries.sort_unstable_by_key(|e| e.key);
        for (seq, e) in entries.iter_mut().enumerate() {
            e.key = ((e.key >> SEQ_BITS) << SEQ_BITS) | seq as u64;
        }
        self.next_seq = entries.len() as u64;
        debug_assert!(
            self.next_seq < SEQ_LIMIT,
            "more pending events than sequence numbers"
        );
        self.keep_near(&mut entries);
        self.heap = BinaryHeap::from(entries);
    }

    #[cfg(test)]
    fn force_sequence(&mut self, seq: u64) {
        self.next_seq = seq;
        if self.edge == Time::MAX {
            self.check_at = self.check_at.min(seq);
        }
    }

    /// Turns the queue bucketed now, whatever its length.
    #[cfg(test)]
    fn force_buckets(&mut self) {
        self.drop_held();
        if self.edge == Time::MAX {
            self.spill();
        }
        self.check_at = 0;
    }

    #[cfg(test)]
    fn is_bucketed(&self) -> bool {
        self.edge != Time::MAX
    }

    /// Entries (heap, ring, overflow).
    #[cfg(test)]
    fn parts(&self) -> (usize, usize, usize) {
        let heap = self.heap.len() - usize::from(self.held);
        (heap, self.far.ring_len, self.far.overflow.len())
    }

    /// Capacities of every buffer (heap, arena, free list, overflow).
    #[cfg(test)]
    fn capacities(&self) -> [usize; 4] {
        [
            self.heap.capacity(),
            self.far.chunks.capacity(),
            self.far.free.capacity(),
            self.far.overflow.capacity(),
        ]
    }
}

/// The entries due at or after the queue's `edge`: a ring of buckets and an
/// overflow heap (see the module docs for the invariants).
#[derive(Clone, Debug)]
struct Far {
    /// The bucket whose entries are in the queue's heap.
    current: u64,
    /// `RING` slots once bucketed; empty before.
    slots: Vec<Slot>,
    /// Bit `s` is set when slot `s` holds entries.
    occupied: [u64; WORDS],
    /// Entries in the ring.
    ring_len: usize,
    /// The chunk arena.
    chunks: Vec<[Entry; CHUNK]>,
    /// Per chunk, the next chunk of its bucket (or `NIL`).
    next: Vec<u32>,
    /// Chunks not in any bucket.
    free: Vec<u32>,
    /// Entries beyond the ring (`bucket > current + RING`).
    overflow: BinaryHeap<Entry>,
}

/// A ring slot: a list of chunks, all full but the last.
#[derive(Clone, Copy, Debug)]
struct Slot {
    head: u32,
    tail: u32,
    /// Entries in the tail chunk; `CHUNK` for an empty slot, so the first
    /// push takes a chunk through the same test as a full tail.
    fill: u32,
}

const EMPTY_SLOT: Slot = Slot {
    head: NIL,
    tail: NIL,
    fill: CHUNK as u32,
};

impl Default for Far {
    fn default() -> Self {
        Far {
            current: 0,
            slots: Vec::new(),
            occupied: [0; WORDS],
            ring_len: 0,
            chunks: Vec::new(),
            next: Vec::new(),
            free: Vec::new(),
            overflow: BinaryHeap::new(),
        }
    }
}

impl Far {
    /// Entries held.
    #[inline]
    fn len(&self) -> usize {
        self.ring_len + self.overflow.len()
    }

    /// Makes `current` the current bucket of an empty ring.
    fn start(&mut self, current: u64) {
        debug_assert_eq!(self.len(), 0);
        if self.slots.is_empty() {
            self.slots = vec![EMPTY_SLOT; RING];
        }
        self.current = current;
    }

    /// Stores an entry due at or after the queue's edge.
    #[inline]
    fn place(&mut self, entry: Entry) {
        let b = bucket(entry.time());
        debug_assert!(b > self.current, "entry before the edge");
        if b - self.current <= RING as u64 {
            self.ring_push((b & RING_MASK) as usize, entry);
        } else {
            self.overflow.push(entry);
        }
    }

    #[inline]
    fn ring_push(&mut self, slot: usize, entry: Entry) {
        let mut s = self.slots[slot];
        if s.fill as usize == CHUNK {
            let c = self.new_chunk();
            if s.head == NIL {
                s.head = c;
                self.occupied[slot / 64] |= 1 << (slot % 64);
            } else {
                self.next[s.tail as usize] = c;
            }
            s.tail = c;
            s.fill = 0;
        }
        self.chunks[s.tail as usize][s.fill as usize] = entry;
        s.fill += 1;
        self.slots[slot] = s;
        self.ring_len += 1;
    }

    /// A chunk from the free list, or a new one.
    fn new_chunk(&mut self) -> u32 {
        let c = match self.free.pop() {
            Some(c) => c,
            None => {
                let c = u32::try_from(self.chunks.len()).expect("chunk arena beyond u32");
                let blank = Entry { key: 0, event: 0 };
                self.chunks.push([blank; CHUNK]);
                self.next.push(NIL);
                c
            }
        };
        self.next[c as usize] = NIL;
        c
    }

    /// Appends the entries of a slot to `out`, empties it and frees its chunks.
    fn take(&mut self, slot: usize, out: &mut Vec<Entry>) {
        let s = self.slots[slot];
        let mut c = s.head;
        loop {
            let n = if c == s.tail { s.fill as usize } else { CHUNK };
            out.extend_from_slice(&self.chunks[c as usize][..n]);
            self.ring_len -= n;
            self.free.push(c);
            if c == s.tail {
                break;
            }
            c = self.next[c as usize];
        }
        self.slots[slot] = EMPTY_SLOT;
        self.occupied[slot / 64] &= !(1 << (slot % 64));
    }

    /// The first occupied slot at or after `from`, circularly. The ring must
    /// hold entries.
    fn next_occupied(&self, from: usize) -> usize {
        let (w0, bit) = (from / 64, from % 64);
        let first = self.occupied[w0] & (u64::MAX << bit);
        if first != 0 {
            return w0 * 64 + first.trailing_zeros() as usize;
        }
        for i in 1..=WORDS {
            let w = (w0 + i) % WORDS;
            let mut bits = self.occupied[w];
            if w == w0 {
                // Wrapped around: only the slots before `from` are left.
                bits &= !(u64::MAX << bit);
            }
            if bits != 0 {
                return w * 64 + bits.trailing_zeros() as usize;
            }
        }
        unreachable!("next_occupied on an empty ring")
    }

    /// Makes the earliest pending bucket the current one and appends its
    /// entries to `out`. Must hold entries.
    fn advance(&mut self, out: &mut Vec<Entry>) {
        if self.ring_len == 0 {
            // Jump to just before the overflow's first bucket, then refill
            // the ring from the overflow.
            let first = self.overflow.peek().expect("advance on an empty queue");
            self.current = bucket(first.time()) - 1;
            self.migrate();
        }
        let from = ((self.current + 1) & RING_MASK) as usize;
        let slot = self.next_occupied(from);
        self.current += 1 + ((slot as u64).wrapping_sub(from as u64) & RING_MASK);
        self.take(slot, out);
        // The ring now reaches one or more buckets further.
        self.migrate();
    }

    /// Moves the overflow entries that now fall inside the ring into it.
    fn migrate(&mut self) {
        while let Some(&first) = self.overflow.peek() {
            let b = bucket(first.time());
            if b - self.current > RING as u64 {
                break;
            }
            self.overflow.pop();
            self.ring_push((b & RING_MASK) as usize, first);
        }
    }

    /// Earliest due time held \[ms\].
    fn min_time(&self) -> Option<Time> {
        if self.ring_len == 0 {
            return self.overflow.peek().map(|e| e.time());
        }
        let slot = self.next_occupied(((self.current + 1) & RING_MASK) as usize);
        let s = self.slots[slot];
        let (mut c, mut min) = (s.head, u64::MAX);
        loop {
            let n = if c == s.tail { s.fill as usize } else { CHUNK };
            min = self.chunks[c as usize][..n]
                .iter()
                .fold(min, |m, e| m.min(e.key));
            if c == s.tail {
                break;
            }
            c = self.next[c as usize];
        }
        Some(min >> SEQ_BITS)
    }

    /// Moves every entry to `out`; `current` stays.
    fn drain_into(&mut self, out: &mut Vec<Entry>) {
        for w in 0..WORDS {
            while self.occupied[w] != 0 {
                let slot = w * 64 + self.occupied[w].trailing_zeros() as usize;
                self.take(slot, out);
            }
        }
        // Not `out.extend(self.overflow.drain())`: the iterator would hold
        // a pointer into the queue (see `EventQueue::push_slow`).
        let mut overflow = std::mem::take(&mut self.overflow).into_vec();
        out.extend_from_slice(&overflow);
        overflow.clear();
        self.overflow = BinaryHeap::from(overflow);
    }

    /// Drops every entry, keeping the arena.
    fn clear(&mut self) {
        self.slots.fill(EMPTY_SLOT);
        self.occupied = [0; WORDS];
        self.ring_len = 0;
        self.free.clear();
        self.free
            .extend((0..self.chunks.len()).rev().map(|c| c as u32));
        self.overflow.clear();
        self.current = 0;
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

    /// Width of a bucket \[ms\].
    const W: Time = 1 << BUCKET_BITS;

    /// What a differential run went through, to check it exercised the cases.
    #[derive(Debug, Default)]
    struct Seen {
        pops: u64,
        cancels: u64,
        ties: u64,
        /// Pushes that went into the heap while later buckets were pending.
        near_with_far: u64,
        /// Pushes while the overflow held entries.
        with_overflow: u64,
        /// Renumberings with entries in the ring or the overflow.
        renumbered_far: u64,
        /// Clears (and restarts from time 0) when the clock got far.
        epochs: u64,
        /// Bucketed at the end.
        bucketed: bool,
    }

    /// Differential test: 10⁶ seeded random push / pop / cancel operations
    /// against a `BTreeMap` shadow must pop exactly the same live events in
    /// the same order. Cancellation follows the engine's lazy scheme: an
    /// entity's generation is bumped and its stale event is skipped on pop.
    ///
    /// Push offsets mix exact ties (0 to 19 ms), the next few buckets, exact
    /// bucket boundaries (±1 ms), the whole ring and beyond it (overflow).
    /// Every 100,000 operations the sequence is moved to just before its
    /// limit, so renumbering happens with entries in every part. When the
    /// clock passes half the key's range, the queue is drained against the
    /// shadow and cleared, and the clock restarts at 0.
    fn differential(seed: u64, entities: usize, bucketed: bool) -> Seen {
        const OPS: usize = 1_000_000;
        let mut rng = stream(seed, 0, Purpose::Arrivals, 99);
        let mut queue: EventQueue<(u32, u32)> = EventQueue::with_capacity(128);
        if bucketed {
            queue.force_buckets();
        }
        let mut shadow: BTreeMap<(Time, u64), u32> = BTreeMap::new();
        // Per entity: current generation and its live key in the shadow.
        let mut generation = vec![0u32; entities];
        let mut live: Vec<Option<(Time, u64)>> = vec![None; entities];
        let mut now: Time = 0;
        let mut shadow_seq = 0u64;
        let mut seen = Seen::default();

        for op_index in 0..OPS {
            // Far pushes move the clock by days per pop: before it runs out
            // of the key's range, drain, clear and start a new epoch at 0.
            if now > MAX_TIME / 2 {
                drain_against(&mut queue, &mut shadow, &generation, &mut live);
                queue.clear();
                assert!(!queue.is_bucketed() && queue.is_empty());
                if bucketed {
                    queue.force_buckets();
                }
                now = 0;
                seen.epochs += 1;
            }
            if op_index % 100_000 == 0 {
                let (_, ring, overflow) = queue.parts();
                if ring + overflow > 0 {
                    seen.renumbered_far += 1;
                }
                // Renumbers within the next 1,000 pushes.
                queue.force_sequence(SEQ_LIMIT - 1000);
            }
            let op = rng.random_range(0..10u32);
            let entity = rng.random_range(0..entities);
            match op {
                // Push (replacing any live event of the entity = cancel + push).
                0..=4 => {
                    let t = match rng.random_range(0..10u32) {
                        // Small offsets make many exact ties.
                        0..=3 => now + rng.random_range(0..20u64),
                        4..=5 => now + rng.random_range(0..4 * W),
                        // A bucket boundary, or 1 ms either side of it.
                        6 => {
                            let boundary = (bucket(now) + rng.random_range(1..4u64)) * W;
                            boundary + rng.random_range(0..3u64) - 1
                        }
                        7..=8 => now + rng.random_range(0..RING as u64 * W),
                        _ => now + rng.random_range(RING as u64 * W..3 * RING as u64 * W),
                    };
                    assert!(t <= MAX_TIME);
                    if let Some(key) = live[entity].take() {
                        shadow.remove(&key);
                        seen.cancels += 1;
                    }
                    generation[entity] += 1;
                    let (heap_before, ring, overflow) = queue.parts();
                    queue.push(t, (entity as u32, generation[entity]));
                    if ring + overflow > 0 && queue.parts().0 > heap_before {
                        seen.near_with_far += 1;
                    }
                    if overflow > 0 {
                        seen.with_overflow += 1;
                    }
                    let seq = shadow_seq;
                    shadow_seq += 1;
                    if shadow.range((t, 0)..=(t, u64::MAX)).next().is_some() {
                        seen.ties += 1;
                    }
                    shadow.insert((t, seq), entity as u32);
                    live[entity] = Some((t, seq));
                }
                // Cancel without replacement.
                5..=6 => {
                    if let Some(key) = live[entity].take() {
                        shadow.remove(&key);
                        generation[entity] += 1;
                        seen.cancels += 1;
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
                        seen.pops += 1;
                    }
                }
            }
            if op_index % 1000 == 0 {
                assert!(queue.len() >= shadow.len());
                assert_eq!(queue.is_empty(), queue.parts() == (0, 0, 0));
            }
        }
        seen.bucketed = queue.is_bucketed();
        drain_against(&mut queue, &mut shadow, &generation, &mut live);
        seen
    }

    /// Pops the rest of the queue against the shadow, which it empties.
    fn drain_against(
        queue: &mut EventQueue<(u32, u32)>,
        shadow: &mut BTreeMap<(Time, u64), u32>,
        generation: &[u32],
        live: &mut [Option<(Time, u64)>],
    ) {
        while let Some(((t, _), e)) = shadow.pop_first() {
            let got = loop {
                let (qt, (qe, g)) = queue.pop().expect("queue ran dry before the shadow");
                if generation[qe as usize] == g && live[qe as usize].is_some() {
                    break (qt, qe);
                }
            };
            assert_eq!(got, (t, e));
            live[e as usize] = None;
        }
        // Only stale entries are left.
        while let Some((_, (e, _))) = queue.pop() {
            assert!(live[e as usize].is_none());
        }
        assert!(queue.is_empty());
    }

    /// Small, direct from start to end: the M/M/10 case.
    #[test]
    fn matches_btreemap_shadow_direct() {
        let seen = differential(2024, 64, false);
        assert!(!seen.bucketed && seen.epochs >= 2, "{seen:?}");
        assert!(seen.pops > 100_000 && seen.cancels > 100_000 && seen.ties > 10_000);
    }

    /// Small, bucketed from the start: every part of the queue is busy.
    #[test]
    fn matches_btreemap_shadow_bucketed() {
        let seen = differential(2025, 64, true);
        assert!(seen.bucketed && seen.epochs >= 2, "{seen:?}");
        assert!(seen.pops > 100_000 && seen.cancels > 100_000 && seen.ties > 10_000);
        assert!(seen.near_with_far > 10_000, "{seen:?}");
        assert!(seen.with_overflow > 10_000, "{seen:?}");
        assert!(seen.renumbered_far >= 5, "{seen:?}");
    }

    /// Large enough to turn bucketed on its own (the district case).
    #[test]
    fn matches_btreemap_shadow_growing_into_buckets() {
        let seen = differential(2026, 4 * SPILL_LEN, false);
        assert!(seen.bucketed, "{seen:?}");
        assert!(seen.pops > 100_000 && seen.cancels > 100_000 && seen.ties > 1_000);
        assert!(seen.near_with_far > 10_000, "{seen:?}");
        assert!(seen.with_overflow > 10_000, "{seen:?}");
        assert!(seen.renumbered_far >= 5, "{seen:?}");
    }

    /// Pops everything, as (time, first field of the event).
    fn drain(q: &mut EventQueue<(u32, u32)>) -> Vec<(Time, u32)> {
        std::iter::from_fn(|| q.pop().map(|(t, (i, _))| (t, i))).collect()
    }

    /// The order the queue must produce: by time, then by push order.
    fn sorted(pushes: &[(Time, u32)]) -> Vec<(Time, u32)> {
        let mut v = pushes.to_vec();
        v.sort_by_key(|&(t, _)| t); // stable: ties keep push order
        v
    }

    fn bucketed_queue() -> EventQueue<(u32, u32)> {
        let mut q = EventQueue::with_capacity(4);
        q.force_buckets();
        assert!(q.is_bucketed());
        q
    }

    /// What the engine prefetches from: after each refill, `near` holds
    /// exactly the pending events of the new current bucket; and without
    /// a push in between, the next pop is one of `upcoming`, whenever
    /// that is not empty.
    #[test]
    fn near_is_the_bucket_and_upcoming_holds_the_next_pop() {
        let mut rng = stream(7, 0, Purpose::Arrivals, 1);
        let mut q = bucketed_queue();
        let mut pending: BTreeMap<(Time, u32), ()> = BTreeMap::new();
        for id in 0..5_000u32 {
            let t = rng.random_range(0..200 * W);
            q.push(t, (id, 0));
            pending.insert((t, id), ());
        }
        let (mut refills, mut seen_refills, mut seen_upcoming) = (q.refills(), 0, 0);
        let mut upcoming: Vec<u64> = Vec::new();
        let mut pops = 0u32;
        while let Some((t, (id, _))) = q.pop() {
            pending.remove(&(t, id));
            if !upcoming.is_empty() {
                assert!(
                    upcoming.contains(&(id, 0).pack()),
                    "{id} at {t} not upcoming"
                );
                seen_upcoming += 1;
            }
            if q.refills() != refills {
                refills = q.refills();
                seen_refills += 1;
                let mut near: Vec<u64> = q.near().collect();
                near.sort_unstable();
                let edge = (bucket(t) + 1) << BUCKET_BITS;
                // The popped entry is held: still in the heap.
                let mut want: Vec<u64> = std::iter::once((id, 0).pack())
                    .chain(
                        pending
                            .range(..(edge, 0))
                            .map(|(&(_, i), ())| (i, 0).pack()),
                    )
                    .collect();
                want.sort_unstable();
                assert_eq!(near, want, "bucket of {t}");
            }
            // Every third pop, a push before the next look: the next pop
            // is then not checked against `upcoming`.
            pops += 1;
            if pops.is_multiple_of(3) && pops < 4_000 {
                let id = 10_000 + pops;
                let t = t + rng.random_range(0..3 * W);
                q.push(t, (id, 0));
                pending.insert((t, id), ());
                upcoming.clear();
            } else {
                upcoming = q.upcoming().collect();
            }
        }
        assert!(pending.is_empty());
        assert!(seen_refills > 150, "{seen_refills} refills");
        assert!(seen_upcoming > 3_000, "{seen_upcoming} pops checked");
    }

    #[test]
    fn renumbering_keeps_tie_order() {
        for bucketed in [false, true] {
            let mut q = EventQueue::with_capacity(4);
            if bucketed {
                q.force_buckets();
            }
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
    }

    #[test]
    fn equal_times_pop_in_insertion_order() {
        for bucketed in [false, true] {
            let mut q = EventQueue::with_capacity(4);
            if bucketed {
                q.force_buckets();
            }
            for i in 0..100u32 {
                q.push(5 * W + 5, (i, 1));
            }
            q.push(4, (1000, 2));
            assert_eq!(q.pop(), Some((4, (1000, 2))));
            for i in 0..100u32 {
                assert_eq!(q.pop(), Some((5 * W + 5, (i, 1))));
            }
            assert!(q.is_empty());
        }
    }

    /// Pushes into the current bucket go to the heap and pop before the
    /// pending buckets, also once the heap has run dry.
    #[test]
    fn current_bucket_pops_before_pending_buckets() {
        let mut q = bucketed_queue();
        q.push(5 * W, (1, 0));
        q.push(2 * W + 1, (2, 0));
        q.push(3, (3, 0));
        assert_eq!(q.parts(), (1, 2, 0));
        assert_eq!(q.pop(), Some((3, (3, 0))));
        // The heap is empty, buckets 2 and 5 pending; bucket 0 is current.
        q.push(10, (4, 0));
        q.push(W - 1, (5, 0));
        assert_eq!(q.parts(), (2, 2, 0));
        assert_eq!(
            drain(&mut q),
            [(10, 4), (W - 1, 5), (2 * W + 1, 2), (5 * W, 1)]
        );
        // Bucket 5 is current now; a push before it (in the past) still
        // goes to the heap and pops first.
        q.push(6 * W, (6, 0));
        q.push(7, (7, 0));
        assert_eq!(drain(&mut q), [(7, 7), (6 * W, 6)]);
    }

    /// Times on both sides of bucket boundaries, ties on the boundary itself,
    /// pushed out of order and across a refill.
    #[test]
    fn bucket_boundaries_keep_time_and_tie_order() {
        let mut q = bucketed_queue();
        let times = [
            2 * W,
            W,
            W - 1,
            2 * W - 1,
            W,
            2 * W + 1,
            W + 1,
            2 * W,
            0,
            W - 1,
        ];
        let mut pushes = Vec::new();
        for (i, &t) in times.iter().enumerate() {
            q.push(t, (i as u32, 0));
            pushes.push((t, i as u32));
        }
        let mut expected = sorted(&pushes);
        // Pop into bucket 1, then push ties on times still pending.
        let mut got: Vec<_> = (0..4)
            .map(|_| q.pop().map(|(t, (i, _))| (t, i)).unwrap())
            .collect();
        assert_eq!(got, expected[..4]);
        assert_eq!(got[3], (W, 1), "bucket 1 is current");
        for (i, t) in [(20, W), (21, 2 * W), (22, W + 1), (23, 2 * W - 1)] {
            q.push(t, (i, 0));
            pushes.push((t, i));
        }
        expected = sorted(&pushes);
        got.extend(drain(&mut q));
        assert_eq!(got, expected);
    }

    /// Entries beyond the ring wait in the overflow, move into the ring when
    /// it reaches them, and keep their order, ties included.
    #[test]
    fn overflow_entries_come_back_in_order() {
        let mut q = bucketed_queue();
        let span = RING as u64 * W;
        let mut pushes = Vec::new();
        for (i, t) in [
            (0, 3 * span + 5),
            (1, span + W),
            (2, 10),
            (3, span + W),
            (4, 3 * span + 5),
            (5, span),
            (6, span - 1),
            (7, 3 * span),
        ] {
            q.push(t, (i, 0));
            pushes.push((t, i));
        }
        // Bucket 0 is current, so the ring holds buckets 1 to RING: `span - 1`
        // and `span` (bucket RING) are in it, `span + W` is beyond.
        assert_eq!(q.parts(), (1, 2, 5));
        assert_eq!(q.len(), 8);
        let mut got = vec![q.pop().map(|(t, (i, _))| (t, i)).unwrap()];
        assert_eq!(got[0], (10, 2));
        // Still before the jump: a push in the far future ties with overflow
        // entries.
        q.push(3 * span + 5, (8, 0));
        pushes.push((3 * span + 5, 8));
        got.extend(drain(&mut q));
        assert_eq!(got, sorted(&pushes));
        assert_eq!(q.parts(), (0, 0, 0));
    }

    /// The entry a pop returned stays on top until a push replaces it or
    /// the next pop removes it, and nothing else sees it: `len`,
    /// `peek_time`, a push of any time, spilling and renumbering.
    #[test]
    fn a_popped_entry_held_on_top_is_gone_for_everything_else() {
        let mut q = EventQueue::with_capacity(4);
        for (t, i) in [(10, 1), (20, 2), (30, 3)] {
            q.push(t, (i, 0));
        }
        assert_eq!(q.pop(), Some((10, (1, 0))));
        assert_eq!((q.len(), q.peek_time()), (2, Some(20)));
        // Earlier than the popped entry: it replaces the held top and
        // comes out first.
        q.push(5, (4, 0));
        assert_eq!((q.len(), q.peek_time()), (3, Some(5)));
        assert_eq!(q.pop(), Some((5, (4, 0))));
        // No push in between: the next pop removes the held entry first.
        assert_eq!(q.pop(), Some((20, (2, 0))));
        assert_eq!((q.len(), q.peek_time()), (1, Some(30)));
        // Spilling and renumbering with an entry held.
        q.force_buckets();
        q.force_sequence(SEQ_LIMIT - 1);
        q.push(40, (5, 0));
        q.push(2 * W, (6, 0));
        assert_eq!(q.parts(), (2, 1, 0));
        assert_eq!(drain(&mut q), vec![(30, 3), (40, 5), (2 * W, 6)]);
        assert_eq!((q.len(), q.peek_time(), q.pop()), (0, None, None));
    }

    /// Renumbering reaches entries in the heap, the ring and the overflow,
    /// and puts each back where it belongs.
    #[test]
    fn renumbering_covers_ring_and_overflow() {
        let mut q = bucketed_queue();
        let far = 2 * RING as u64 * W;
        q.force_sequence(SEQ_LIMIT - 4);
        let mut pushes = Vec::new();
        for i in 0..12u32 {
            // The ring entries sit on the current bucket's edge.
            let t = [5, W, far][i as usize % 3];
            q.push(t, (i, 0));
            pushes.push((t, i));
        }
        // Renumbered after the 4th push: 4 + 8 = 12 sequence numbers used.
        assert_eq!(q.next_seq, 12);
        assert_eq!(q.parts(), (4, 4, 4));
        assert_eq!(drain(&mut q), sorted(&pushes));
    }

    /// A direct queue turns bucketed once its heap is long, and `clear`
    /// brings it back to direct mode with a fresh sequence.
    #[test]
    fn grows_into_buckets_and_clear_goes_back() {
        let mut rng = stream(7, 0, Purpose::Arrivals, 1);
        let mut q = EventQueue::with_capacity(4);
        let mut pushes = Vec::new();
        for i in 0..(SPILL_LEN + CHECK_EVERY as usize) as u32 {
            let t = rng.random_range(0..200 * W);
            q.push(t, (i, 0));
            pushes.push((t, i));
            if (i as usize) < SPILL_LEN {
                assert!(!q.is_bucketed(), "spilled at {i}");
            }
        }
        assert!(q.is_bucketed());
        let (heap, ring, overflow) = q.parts();
        assert!(heap < SPILL_LEN / 10 && ring > 0 && overflow == 0);
        assert_eq!(q.len(), pushes.len());
        let mut expected = sorted(&pushes);
        assert_eq!(q.peek_time(), Some(expected[0].0));
        // Half out, then clear.
        for e in &expected[..pushes.len() / 2] {
            assert_eq!(q.pop().map(|(t, (i, _))| (t, i)), Some(*e));
        }
        q.clear();
        assert!(!q.is_bucketed() && q.is_empty() && q.peek_time().is_none());
        assert_eq!(q.pop(), None);
        pushes.clear();
        for i in 0..50u32 {
            let t = [W, 3, 100 * W][i as usize % 3];
            q.push(t, (i, 1));
            pushes.push((t, i));
        }
        assert_eq!(q.next_seq, 50);
        assert_eq!(q.parts(), (50, 0, 0));
        expected = sorted(&pushes);
        assert_eq!(drain(&mut q), expected);
    }

    /// `peek_time` and `len` see the ring and the overflow with the heap empty.
    #[test]
    fn peek_time_and_len_see_every_part() {
        let mut q = bucketed_queue();
        assert_eq!((q.peek_time(), q.len(), q.is_empty()), (None, 0, true));
        let beyond = (RING as u64 + 10) * W;
        q.push(beyond, (0, 0));
        assert_eq!(
            (q.peek_time(), q.len(), q.is_empty()),
            (Some(beyond), 1, false)
        );
        for (i, t) in [
            (1, 7 * W + 9),
            (2, 7 * W + 3),
            (3, 40 * W + 99),
            (4, 7 * W + 3),
        ] {
            q.push(t, (i, 0));
        }
        assert_eq!(q.parts(), (0, 4, 1));
        assert_eq!((q.peek_time(), q.len()), (Some(7 * W + 3), 5));
        assert_eq!(q.pop(), Some((7 * W + 3, (2, 0))));
        assert_eq!((q.peek_time(), q.len()), (Some(7 * W + 3), 4));
        assert_eq!(
            drain(&mut q),
            [
                (7 * W + 3, 4),
                (7 * W + 9, 1),
                (40 * W + 99, 3),
                (beyond, 0)
            ]
        );
        assert_eq!(q.peek_time(), None);
        // The latest time the key holds, beyond the ring.
        q.push(MAX_TIME, (5, 0));
        q.push(MAX_TIME, (6, 0));
        assert_eq!(drain(&mut q), [(MAX_TIME, 5), (MAX_TIME, 6)]);
    }

    /// In a steady state (every popped entity rescheduled a fixed delay
    /// ahead: 3 days for most, 40 days, beyond the ring, for every fifth)
    /// no buffer grows after the first laps: pushes and pops do not allocate.
    #[test]
    fn steady_state_keeps_its_buffers() {
        const DAY: Time = 86_400_000;
        const ENTITIES: u32 = 5000;
        let delay = |i: u32| {
            if i.is_multiple_of(5) {
                40 * DAY
            } else {
                3 * DAY
            }
        };
        let mut q = EventQueue::with_capacity(16);
        for i in 0..ENTITIES {
            q.push(u64::from(i) * delay(i) / u64::from(ENTITIES), (i, 0));
        }
        let run_until = |q: &mut EventQueue<(u32, u32)>, end: Time| {
            let mut last = 0;
            while let Some((t, (i, g))) = q.pop() {
                assert!(t >= last);
                last = t;
                q.push(t + delay(i), (i, g + 1));
                if t >= end {
                    break;
                }
            }
        };
        run_until(&mut q, 130 * DAY);
        assert!(q.is_bucketed());
        assert!(q.parts().2 > 0, "the overflow is in use");
        let capacities = q.capacities();
        run_until(&mut q, 400 * DAY);
        assert_eq!(q.capacities(), capacities);
        assert_eq!(q.len(), ENTITIES as usize);
    }
}
