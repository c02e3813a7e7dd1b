//! The process's memory allocator: mimalloc for small blocks, the system's for large ones.
//!
//! Linting allocates many small syntax nodes and strings from every thread at once; with
//! glibc's allocator a quarter of lint's time went to malloc, free and their arena locks,
//! and mimalloc removes most of it. Image inspection instead holds a few large tables
//! (per-file indexes, hash tables) that grow by reallocation; mimalloc keeps the memory of
//! the outgrown ones mapped, which more than doubled inspect's peak memory, while the
//! system allocator gives it back. So each block goes by its size, which every call of
//! `GlobalAlloc` is told, to one of the two, and is freed by the same one.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// Blocks of this many bytes or more come from the system allocator.
const LARGE: usize = 4 * 1024;

pub struct SplitAllocator;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is allocated and freed (or reallocated) by the same allocator: the
// choice depends only on the block's size, which `dealloc` and `realloc` are given exactly
// as it was allocated; a reallocation that crosses the threshold allocates from the other
// allocator, copies, and frees the old block where it came from.
unsafe impl GlobalAlloc for SplitAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            System.alloc(layout)
        } else {
            MiMalloc.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            System.alloc_zeroed(layout)
        } else {
            MiMalloc.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_large(layout.size()) {
            System.dealloc(ptr, layout)
        } else {
            MiMalloc.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (is_large(layout.size()), is_large(new_size)) {
            (true, true) => System.realloc(ptr, layout, new_size),
            (false, false) => MiMalloc.realloc(ptr, layout, new_size),
            _ => {
                let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                    return std::ptr::null_mut();
                };
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}
