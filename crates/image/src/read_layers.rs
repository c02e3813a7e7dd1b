//! Reads all of an image's layers on every core, several layers per core in
//! step.
//!
//! Most of the work is sha256 over every uncompressed byte, and one sha256
//! stream cannot be split. So a thread may hold up to [`LANES`] layers and
//! step them together: it reads a chunk of each, hashes the chunks side by
//! side ([`LaneHash::update_together`]: more bytes per second in all, but each
//! stream goes slower than alone), then indexes each chunk while it is still
//! in the core's cache.
//!
//! Which layers go together is planned again after every step ([`plan`]):
//! the biggest layers (by bytes left) each lead a thread, since the biggest
//! layer's time is the least the whole read can take; a smaller layer joins a
//! leader only while that leader, slowed by the company, still ends in time.
//! Layers no thread holds wait in a shared pool.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use crate::error::ImageError;
use crate::layer_index::{LayerIndex, LayerReading, CHUNK_BYTES};
use crate::sha256_lanes::{self, LaneHash, LANES};

/// One layer in progress and what the caller tagged it with.
struct Lane<'a, T> {
    layer: usize,
    tag: T,
    reading: LayerReading<'a>,
}

/// The state the threads share.
struct Pool<'a, T> {
    /// Blob sizes, by layer.
    sizes: Vec<u64>,
    /// Layers not started yet.
    waiting: Vec<usize>,
    /// Started layers no thread holds.
    idle: Vec<Lane<'a, T>>,
    /// What each thread holds: a unit per lane.
    held: Vec<Vec<Unit>>,
    /// Layers not finished (waiting, idle or held).
    unfinished: usize,
    results: Vec<Option<Result<(LayerIndex, T), ImageError>>>,
}

/// Reads layers `0..count` (`sizes` are their blob sizes), opening each with
/// `open` and calling `progress` with the number done after each. Results
/// come back in layer order.
pub fn read_layers<'a, T: Send>(
    count: usize,
    sizes: &[u64],
    open: impl Fn(usize) -> Result<(LayerReading<'a>, T), ImageError> + Sync,
    progress: impl Fn(usize) + Sync,
) -> Vec<Result<(LayerIndex, T), ImageError>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(count)
        .max(1);
    let pool = Mutex::new(Pool {
        sizes: (0..count)
            .map(|i| sizes.get(i).copied().unwrap_or(0))
            .collect(),
        waiting: (0..count).collect(),
        idle: Vec::new(),
        held: vec![Vec::new(); workers],
        unfinished: count,
        results: (0..count).map(|_| None).collect(),
    });
    let changed = Condvar::new();
    let context = Context {
        pool: &pool,
        changed: &changed,
        workers,
        side_by_side: sha256_lanes::side_by_side_is_faster(),
    };
    let work = |me: usize| worker(&context, me, &open, &progress);
    std::thread::scope(|scope| {
        for me in 1..workers {
            scope.spawn(move || work(me));
        }
        work(0);
    });
    let pool = pool.into_inner().unwrap_or_else(PoisonError::into_inner);
    pool.results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(ImageError::blob(
                    "layer",
                    "a layer reader stopped unexpectedly",
                ))
            })
        })
        .collect()
}

struct Context<'p, 'a, T> {
    pool: &'p Mutex<Pool<'a, T>>,
    changed: &'p Condvar,
    workers: usize,
    side_by_side: bool,
}

impl<'a, T> Context<'_, 'a, T> {
    fn lock(&self) -> MutexGuard<'_, Pool<'a, T>> {
        self.pool.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Outcome<T> = Result<(LayerIndex, T), ImageError>;

fn worker<'a, T: Send>(
    context: &Context<'_, 'a, T>,
    me: usize,
    open: &(impl Fn(usize) -> Result<(LayerReading<'a>, T), ImageError> + Sync),
    progress: &(impl Fn(usize) + Sync),
) {
    let mut held: Vec<Lane<'a, T>> = Vec::with_capacity(LANES);
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    let mut ended: Vec<(usize, Outcome<T>)> = Vec::new();
    loop {
        {
            let mut pool = context.lock();
            let finished = !ended.is_empty();
            for (layer, outcome) in ended.drain(..) {
                pool.finish(layer, outcome);
            }
            if finished {
                progress(pool.done());
            }
            // Give everything back, then take this thread's group of the plan.
            let mine: Vec<usize> = held.iter().map(|lane| lane.layer).collect();
            pool.idle.append(&mut held);
            pool.held[me].clear();
            context.changed.notify_all();
            loop {
                let group = pool.my_group(me, &mine, context.workers, context.side_by_side);
                for layer in group {
                    if let Some(k) = pool.idle.iter().position(|lane| lane.layer == layer) {
                        held.push(pool.idle.swap_remove(k));
                    } else if let Some(k) = pool.waiting.iter().position(|&w| w == layer) {
                        pool.waiting.swap_remove(k);
                        match open(layer) {
                            Ok((reading, tag)) => held.push(Lane {
                                layer,
                                tag,
                                reading,
                            }),
                            Err(e) => {
                                pool.finish(layer, Err(e));
                                progress(pool.done());
                            }
                        }
                    }
                }
                if !held.is_empty() || pool.unfinished == 0 {
                    break;
                }
                // What this thread should run is held by another thread, or
                // nothing is left for it: wait until a thread gives back or
                // a layer ends.
                pool = context
                    .changed
                    .wait(pool)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if held.is_empty() {
                context.changed.notify_all();
                return;
            }
            pool.held[me] = held.iter().map(Lane::unit).collect();
        }
        buffers.resize_with(held.len(), || vec![0u8; CHUNK_BYTES]);
        step(&mut held, &mut buffers, &mut ended);
    }
}

impl<'a, T> Lane<'a, T> {
    fn unit(&self) -> Unit {
        Unit {
            layer: self.layer,
            left: self.reading.blob_remaining(),
            compressed: self.reading.is_compressed(),
            owner: None,
        }
    }
}

impl<'a, T> Pool<'a, T> {
    fn finish(&mut self, layer: usize, outcome: Outcome<T>) {
        if let Some(slot) = self.results.get_mut(layer) {
            if slot.is_none() {
                self.unfinished -= 1;
            }
            *slot = Some(outcome);
        }
    }

    fn done(&self) -> usize {
        self.results.iter().filter(|r| r.is_some()).count()
    }

    /// The layers thread `me` should run next (`mine` are those it held).
    fn my_group(
        &self,
        me: usize,
        mine: &[usize],
        workers: usize,
        side_by_side: bool,
    ) -> Vec<usize> {
        let mut units: Vec<Unit> = Vec::new();
        for (owner, held) in self.held.iter().enumerate() {
            units.extend(held.iter().map(|u| Unit {
                owner: Some(owner),
                ..*u
            }));
        }
        units.extend(self.idle.iter().map(|lane| Unit {
            owner: mine.contains(&lane.layer).then_some(me),
            ..lane.unit()
        }));
        units.extend(self.waiting.iter().map(|&layer| Unit {
            layer,
            left: self.sizes.get(layer).copied().unwrap_or(0),
            compressed: false,
            owner: None,
        }));
        let groups = plan(&units, workers, side_by_side);
        groups
            .into_iter()
            .find(|g| g.owner == me)
            .map(|g| g.members.iter().map(|&u| units[u].layer).collect())
            .unwrap_or_default()
    }
}

/// Reads, hashes and indexes one chunk of every held layer; moves the layers
/// that ended (or failed) to `ended`.
fn step<T>(
    held: &mut Vec<Lane<'_, T>>,
    buffers: &mut [Vec<u8>],
    ended: &mut Vec<(usize, Outcome<T>)>,
) {
    let mut lengths: Vec<Result<usize, ImageError>> = held
        .iter_mut()
        .zip(buffers.iter_mut())
        .map(|(lane, buffer)| lane.reading.read_chunk(buffer))
        .collect();
    {
        let mut hashes: Vec<&mut LaneHash> = Vec::with_capacity(held.len());
        let mut pieces: Vec<&[u8]> = Vec::with_capacity(held.len());
        for ((lane, buffer), length) in held.iter_mut().zip(buffers.iter()).zip(&lengths) {
            if let Ok(n) = length {
                hashes.push(&mut lane.reading.diff_hash);
                pieces.push(&buffer[..*n]);
            }
        }
        LaneHash::update_together(&mut hashes, &pieces);
    }
    for ((lane, buffer), length) in held.iter_mut().zip(buffers.iter()).zip(lengths.iter_mut()) {
        if let Ok(n) = length {
            if *n > 0 {
                if let Err(e) = lane.reading.index_chunk(&buffer[..*n]) {
                    *length = Err(e);
                }
            }
        }
    }
    // Walk backwards so removing a lane leaves the ones still to visit in place.
    for j in (0..held.len()).rev() {
        let failure = match std::mem::replace(&mut lengths[j], Ok(1)) {
            Ok(0) => None,
            Ok(_) => continue,
            Err(e) => Some(e),
        };
        let lane = held.remove(j);
        let outcome = match failure {
            None => lane.reading.finish().map(|index| (index, lane.tag)),
            Some(e) => Err(e),
        };
        ended.push((lane.layer, outcome));
    }
}

/// One unfinished layer, as the planner sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Unit {
    layer: usize,
    /// Blob bytes left to read.
    left: u64,
    /// Compressed layers gain nothing from side-by-side hashing.
    compressed: bool,
    /// The thread that holds it (or held it until this planning).
    owner: Option<usize>,
}

/// Layers one thread runs together; `members[0]` leads.
#[derive(Debug, PartialEq)]
struct Group {
    owner: usize,
    members: Vec<usize>,
}

/// A lead layer keeps its thread until another has this many more bytes
/// left, so two layers of about the same size do not swap threads at
/// every step.
const KEEP_LEAD_BYTES: u64 = 8 << 20;

/// Margin over the estimated least time that a slowed leader may take.
const SLACK: f64 = 1.2;

/// The time one chunk of each of `k` streams takes on one thread, in units
/// of one stream's chunk alone: measured with the x86 SHA extensions, hashing
/// and indexing included, on the benchmark image (hashing alone gives 1, 1.27
/// and 1.70).
fn group_cost(k: usize, side_by_side: bool) -> f64 {
    if !side_by_side {
        return k as f64;
    }
    match k {
        0 | 1 => 1.0,
        2 => 1.42,
        _ => 2.0,
    }
}

/// Splits the unfinished layers (`units`) into at most `workers` groups of at
/// most [`LANES`], each for one thread; the plan lists the groups in order and
/// says which thread runs each. Layers in no group wait for a later plan.
///
/// The `workers` layers with the most bytes left lead the groups. The least
/// time the whole read can take is about the larger of the biggest layer read
/// alone and all bytes read three side by side on every thread; another layer
/// joins the group with the smallest leader that, slowed by one more member,
/// still ends within that time (plus [`SLACK`]).
fn plan(units: &[Unit], workers: usize, side_by_side: bool) -> Vec<Group> {
    if units.is_empty() || workers == 0 {
        return Vec::new();
    }
    let cost = |k: usize, u: &Unit| group_cost(k, side_by_side && !u.compressed);
    let rank = |u: &Unit| {
        u.left
            + if u.owner.is_some() {
                KEEP_LEAD_BYTES
            } else {
                0
            }
    };
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(rank(&units[i])), units[i].layer));
    let total: f64 = units.iter().map(|u| u.left as f64).sum();
    let biggest = units.iter().map(|u| u.left).max().unwrap_or(0) as f64;
    let full = LANES as f64 / group_cost(LANES, side_by_side);
    let least = (total / (workers as f64 * full)).max(biggest);
    let limit = least * SLACK;
    let leads = workers.min(order.len());
    let mut members: Vec<Vec<usize>> = order[..leads].iter().map(|&i| vec![i]).collect();
    for &i in &order[leads..] {
        let fits = |g: &Vec<usize>| {
            let lead = &units[g[0]];
            g.len() < LANES && lead.left as f64 * cost(g.len() + 1, lead) <= limit
        };
        // Stay with the thread that holds the layer if its group has room:
        // moving a layer to another core leaves its index's cache behind.
        let best = members.iter_mut().filter(|g| fits(g)).min_by_key(|g| {
            let moves = units[g[0]].owner.is_none() || units[g[0]].owner != units[i].owner;
            (moves, units[g[0]].left)
        });
        if let Some(g) = best {
            g.push(i);
        }
    }
    // A group goes to the thread that holds its leader, unless that thread
    // already leads an earlier group; the rest go to threads without a group.
    let mut owners: Vec<Option<usize>> = vec![None; members.len()];
    let mut taken = vec![false; workers];
    for (g, group) in members.iter().enumerate() {
        if let Some(owner) = units[group[0]].owner {
            if owner < workers && !taken[owner] {
                taken[owner] = true;
                owners[g] = Some(owner);
            }
        }
    }
    let mut free = (0..workers).filter(|&w| !taken[w]);
    members
        .into_iter()
        .zip(owners)
        .filter_map(|(members, owner)| {
            let owner = owner.or_else(|| free.next())?;
            Some(Group { owner, members })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1 << 20;

    fn unit(layer: usize, left: u64, owner: Option<usize>) -> Unit {
        Unit {
            layer,
            left: left * MB,
            compressed: false,
            owner,
        }
    }

    fn layers(plan: &[Group], units: &[Unit]) -> Vec<(usize, Vec<usize>)> {
        plan.iter()
            .map(|g| (g.owner, g.members.iter().map(|&u| units[u].layer).collect()))
            .collect()
    }

    #[test]
    fn big_layers_lead_alone_and_small_ones_join_the_smaller_leader() {
        // The benchmark image's layers: the two biggest each need a thread
        // to themselves; the small ones fit beside neither at first.
        let units: Vec<Unit> = [115, 270, 340, 384, 45, 50]
            .iter()
            .enumerate()
            .map(|(i, &mb)| unit(i, mb, None))
            .collect();
        let groups = plan(&units, 2, true);
        assert_eq!(layers(&groups, &units), vec![(0, vec![3]), (1, vec![2])]);
        // Equal layers: three per thread.
        let units: Vec<Unit> = (0..6).map(|i| unit(i, 100, None)).collect();
        let groups = plan(&units, 2, true);
        assert_eq!(groups.iter().map(|g| g.members.len()).sum::<usize>(), 6);
        assert!(groups.iter().all(|g| g.members.len() == 3));
        // One big layer and small ones: the small ones share the other thread.
        let units = vec![
            unit(0, 500, None),
            unit(1, 20, None),
            unit(2, 20, None),
            unit(3, 20, None),
        ];
        let groups = plan(&units, 2, true);
        assert_eq!(
            layers(&groups, &units),
            vec![(0, vec![0]), (1, vec![1, 2, 3])]
        );
    }

    #[test]
    fn a_thread_keeps_its_leader_and_others_get_the_rest() {
        let units = vec![unit(0, 100, Some(1)), unit(1, 104, None), unit(2, 10, None)];
        let groups = plan(&units, 2, true);
        // Layer 0 stays with thread 1 although layer 1 has a little more left.
        assert_eq!(groups[0].owner, 1);
        assert_eq!(units[groups[0].members[0]].layer, 0);
        assert_eq!(groups[1].owner, 0);
    }

    #[test]
    fn without_side_by_side_hashing_groups_only_fill_idle_time() {
        let units: Vec<Unit> = (0..6).map(|i| unit(i, 100, None)).collect();
        let groups = plan(&units, 2, false);
        assert_eq!(groups.iter().map(|g| g.members.len()).sum::<usize>(), 6);
        let units = vec![unit(0, 500, None), unit(1, 300, None), unit(2, 300, None)];
        let groups = plan(&units, 2, false);
        // 300 + 300 on one thread still ends before 500 alone (with slack).
        assert_eq!(layers(&groups, &units), vec![(0, vec![0]), (1, vec![1, 2])]);
    }

    #[test]
    fn more_threads_than_layers_leaves_threads_idle() {
        let units = vec![unit(0, 10, None)];
        let groups = plan(&units, 4, true);
        assert_eq!(groups.len(), 1);
        assert!(plan(&[], 4, true).is_empty());
    }
}
