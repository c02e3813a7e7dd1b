//! Interned paths: a table of path components and a tree of (parent, name)
//! nodes, so that a million files cost a few machine words each instead of a
//! `String` per path.

use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// No node (used for empty links).
pub const NONE: u32 = u32::MAX;

/// The root node's id.
pub const ROOT: u32 = 0;

/// Distinct byte strings, each stored once in one arena.
#[derive(Default)]
pub struct NameTable {
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl NameTable {
    /// The id of `name`, adding it if new.
    pub fn intern(&mut self, name: &[u8]) -> u32 {
        let hash = self.hasher.hash_one(name);
        let (arena, spans) = (&self.arena, &self.spans);
        let get = |id: u32| -> &[u8] { span_bytes(arena, spans, id) };
        if let Some(&id) = self.index.find(hash, |&id| get(id) == name) {
            return id;
        }
        let id = self.spans.len() as u32;
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(name);
        self.spans.push((start, name.len() as u32));
        let (arena, spans, hasher) = (&self.arena, &self.spans, &self.hasher);
        self.index.insert_unique(hash, id, |&other| {
            hasher.hash_one(span_bytes(arena, spans, other))
        });
        id
    }

    /// The id of `name` if it was interned.
    pub fn lookup(&self, name: &[u8]) -> Option<u32> {
        let hash = self.hasher.hash_one(name);
        self.index.find(hash, |&id| self.get(id) == name).copied()
    }

    /// The bytes of name `id`.
    pub fn get(&self, id: u32) -> &[u8] {
        span_bytes(&self.arena, &self.spans, id)
    }

    /// Gives back spare capacity once no more names will be added.
    pub fn shrink_to_fit(&mut self) {
        self.arena.shrink_to_fit();
        self.spans.shrink_to_fit();
        let (arena, spans, hasher) = (&self.arena, &self.spans, &self.hasher);
        self.index
            .shrink_to_fit(|&id| hasher.hash_one(span_bytes(arena, spans, id)));
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.spans.capacity() * 8 + self.index.capacity() * 5
    }
}

fn span_bytes<'a>(arena: &'a [u8], spans: &[(u32, u32)], id: u32) -> &'a [u8] {
    match spans.get(id as usize) {
        Some(&(start, len)) => arena
            .get(start as usize..start as usize + len as usize)
            .unwrap_or(&[]),
        None => &[],
    }
}

/// A tree of path nodes; node 0 is the root (no name).
pub struct PathTree {
    names: NameTable,
    parent: Vec<u32>,
    name: Vec<u32>,
    first_child: Vec<u32>,
    next_sibling: Vec<u32>,
    children: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl Default for PathTree {
    fn default() -> Self {
        PathTree::new()
    }
}

impl PathTree {
    /// A tree holding only the root.
    pub fn new() -> PathTree {
        PathTree {
            names: NameTable::default(),
            parent: vec![NONE],
            name: vec![NONE],
            first_child: vec![NONE],
            next_sibling: vec![NONE],
            children: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
        }
    }

    fn key_hash(hasher: &DefaultHashBuilder, parent: u32, name: u32) -> u64 {
        hasher.hash_one((parent, name))
    }

    /// Number of nodes, root included.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// Whether only the root exists.
    pub fn is_empty(&self) -> bool {
        self.parent.len() <= 1
    }

    /// The child of `parent` called `name`, if any.
    pub fn child(&self, parent: u32, name: &[u8]) -> Option<u32> {
        let name_id = self.names.lookup(name)?;
        let hash = Self::key_hash(&self.hasher, parent, name_id);
        self.children
            .find(hash, |&n| {
                self.parent[n as usize] == parent && self.name[n as usize] == name_id
            })
            .copied()
    }

    /// The child of `parent` called `name`, created if missing.
    pub fn intern_child(&mut self, parent: u32, name: &[u8]) -> u32 {
        let name_id = self.names.intern(name);
        let hash = Self::key_hash(&self.hasher, parent, name_id);
        let (parents, names) = (&self.parent, &self.name);
        if let Some(&n) = self.children.find(hash, |&n| {
            parents[n as usize] == parent && names[n as usize] == name_id
        }) {
            return n;
        }
        let id = self.parent.len() as u32;
        self.parent.push(parent);
        self.name.push(name_id);
        self.first_child.push(NONE);
        let previous_first = std::mem::replace(&mut self.first_child[parent as usize], id);
        self.next_sibling.push(previous_first);
        let (parents, names, hasher) = (&self.parent, &self.name, &self.hasher);
        self.children.insert_unique(hash, id, |&n| {
            Self::key_hash(hasher, parents[n as usize], names[n as usize])
        });
        id
    }

    /// Interns every component of `components` below the root; returns the last node.
    pub fn intern_path<'a>(&mut self, components: impl IntoIterator<Item = &'a [u8]>) -> u32 {
        let mut node = ROOT;
        for c in components {
            node = self.intern_child(node, c);
        }
        node
    }

    /// Finds a path without creating anything.
    pub fn find_path<'a>(&self, components: impl IntoIterator<Item = &'a [u8]>) -> Option<u32> {
        let mut node = ROOT;
        for c in components {
            node = self.child(node, c)?;
        }
        Some(node)
    }

    /// The parent of `node` (`NONE` for the root).
    pub fn parent(&self, node: u32) -> u32 {
        self.parent.get(node as usize).copied().unwrap_or(NONE)
    }

    /// The name of `node` (empty for the root).
    pub fn name(&self, node: u32) -> &[u8] {
        match self.name.get(node as usize) {
            Some(&id) if id != NONE => self.names.get(id),
            _ => &[],
        }
    }

    /// Whether `node` has children.
    pub fn has_children(&self, node: u32) -> bool {
        self.first_child
            .get(node as usize)
            .is_some_and(|&c| c != NONE)
    }

    /// The children of `node`, newest first.
    pub fn children(&self, node: u32) -> Children<'_> {
        Children {
            tree: self,
            next: self.first_child.get(node as usize).copied().unwrap_or(NONE),
        }
    }

    /// The children of `node` sorted by name bytes.
    pub fn sorted_children(&self, node: u32) -> Vec<u32> {
        let mut kids: Vec<u32> = self.children(node).collect();
        kids.sort_by(|&a, &b| self.name(a).cmp(self.name(b)));
        kids
    }

    /// The path of `node` relative to the root, `/`-separated, no leading `/`.
    pub fn path(&self, node: u32) -> String {
        let mut parts: Vec<&[u8]> = Vec::new();
        let mut n = node;
        while n != ROOT && n != NONE {
            parts.push(self.name(n));
            n = self.parent(n);
        }
        let mut out = Vec::new();
        for (i, p) in parts.iter().rev().enumerate() {
            if i > 0 {
                out.push(b'/');
            }
            out.extend_from_slice(p);
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Gives back spare capacity once no more nodes will be added.
    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.parent.shrink_to_fit();
        self.name.shrink_to_fit();
        self.first_child.shrink_to_fit();
        self.next_sibling.shrink_to_fit();
        let (parents, names, hasher) = (&self.parent, &self.name, &self.hasher);
        self.children.shrink_to_fit(|&n| {
            Self::key_hash(hasher, parents[n as usize], names[n as usize])
        });
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.names.heap_bytes() + self.parent.capacity() * 16 + self.children.capacity() * 5
    }
}

/// Iterator over a node's children.
pub struct Children<'a> {
    tree: &'a PathTree,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = u32;
    fn next(&mut self) -> Option<u32> {
        if self.next == NONE {
            return None;
        }
        let current = self.next;
        self.next = self
            .tree
            .next_sibling
            .get(current as usize)
            .copied()
            .unwrap_or(NONE);
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_once() {
        let mut t = PathTree::new();
        let a = t.intern_path([&b"usr"[..], b"bin", b"ls"]);
        let b = t.intern_path([&b"usr"[..], b"bin", b"ls"]);
        assert_eq!(a, b);
        assert_eq!(t.len(), 4);
        assert_eq!(t.path(a), "usr/bin/ls");
        let bin = t.parent(a);
        t.intern_child(bin, b"cat");
        assert_eq!(t.sorted_children(bin).len(), 2);
        assert_eq!(t.find_path([&b"usr"[..], b"nope"]), None);
        assert_eq!(
            t.child(bin, b"cat").map(|n| t.path(n)).as_deref(),
            Some("usr/bin/cat")
        );
    }
}
