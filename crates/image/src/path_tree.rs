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

    /// Makes room for `names` more names of `bytes` bytes in all.
    pub fn reserve(&mut self, names: usize, bytes: usize) {
        self.arena.reserve(bytes);
        self.spans.reserve(names);
        let (arena, spans, hasher) = (&self.arena, &self.spans, &self.hasher);
        self.index
            .reserve(names, |&id| hasher.hash_one(span_bytes(arena, spans, id)));
    }

    /// Number of distinct names.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether no name was interned.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Bytes of all names together.
    pub fn total_bytes(&self) -> usize {
        self.arena.len()
    }

    /// Frees the lookup index (`intern` and `lookup` need it rebuilt).
    fn clear_index(&mut self) {
        self.index = HashTable::new();
    }

    /// Indexes every name again after [`NameTable::clear_index`].
    fn rebuild_index(&mut self) {
        let (arena, spans, hasher) = (&self.arena, &self.spans, &self.hasher);
        let mut index = HashTable::with_capacity(spans.len());
        for id in 0..spans.len() as u32 {
            let hash = hasher.hash_one(span_bytes(arena, spans, id));
            index.insert_unique(hash, id, |&other| {
                hasher.hash_one(span_bytes(arena, spans, other))
            });
        }
        self.index = index;
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
    /// Whether `children` and the name index are present (see
    /// [`PathTree::drop_lookup_index`]).
    indexed: bool,
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
            indexed: true,
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
        if !self.indexed {
            return self.children(parent).find(|&n| self.name(n) == name);
        }
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
        if !self.indexed {
            self.rebuild_lookup_index();
        }
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

    /// Makes room for all the nodes and names of `others`, so that merging
    /// them into this tree rehashes nothing.
    pub fn reserve_for<'a>(&mut self, others: impl IntoIterator<Item = &'a PathTree>) {
        if !self.indexed {
            self.rebuild_lookup_index();
        }
        let (mut nodes, mut names, mut bytes) = (0usize, 0usize, 0usize);
        for other in others {
            nodes += other.len();
            names += other.names.len();
            bytes += other.names.total_bytes();
        }
        self.names.reserve(names, bytes);
        self.parent.reserve(nodes);
        self.name.reserve(nodes);
        self.first_child.reserve(nodes);
        self.next_sibling.reserve(nodes);
        let (parents, names, hasher) = (&self.parent, &self.name, &self.hasher);
        self.children.reserve(nodes, |&n| {
            Self::key_hash(hasher, parents[n as usize], names[n as usize])
        });
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
        let mut out = String::new();
        self.path_into(node, &mut out);
        out
    }

    /// Writes the path of `node` into `out` (replacing its content), so that
    /// a loop over many nodes reuses one buffer.
    pub fn path_into(&self, node: u32, out: &mut String) {
        let mut bytes = std::mem::take(out).into_bytes();
        bytes.clear();
        // Walk up once for the length, then again to fill from the end.
        let (mut len, mut parts) = (0usize, 0usize);
        let mut n = node;
        while n != ROOT && n != NONE {
            len += self.name(n).len();
            parts += 1;
            n = self.parent(n);
        }
        // One `/` between components (a component may be empty).
        len += parts.saturating_sub(1);
        bytes.resize(len, b'/');
        let mut end = len;
        let mut n = node;
        while n != ROOT && n != NONE {
            let name = self.name(n);
            let start = end.saturating_sub(name.len());
            if let Some(slot) = bytes.get_mut(start..end) {
                slot.copy_from_slice(name);
            }
            end = start.saturating_sub(1);
            n = self.parent(n);
        }
        *out = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        };
    }

    /// Frees the hash indexes that find a child by name, once the tree is
    /// built and only walked: [`PathTree::child`] then scans the parent's
    /// children, and adding a node rebuilds the indexes first.
    pub fn drop_lookup_index(&mut self) {
        self.names.clear_index();
        self.children = HashTable::new();
        self.indexed = false;
    }

    fn rebuild_lookup_index(&mut self) {
        self.names.rebuild_index();
        let (parents, names, hasher) = (&self.parent, &self.name, &self.hasher);
        let mut children = HashTable::with_capacity(parents.len());
        for n in 1..parents.len() as u32 {
            let hash = Self::key_hash(hasher, parents[n as usize], names[n as usize]);
            children.insert_unique(hash, n, |&m| {
                Self::key_hash(hasher, parents[m as usize], names[m as usize])
            });
        }
        self.children = children;
        self.indexed = true;
    }

    /// Gives back spare capacity once no more nodes will be added.
    pub fn shrink_to_fit(&mut self) {
        self.names.shrink_to_fit();
        self.parent.shrink_to_fit();
        self.name.shrink_to_fit();
        self.first_child.shrink_to_fit();
        self.next_sibling.shrink_to_fit();
        let (parents, names, hasher) = (&self.parent, &self.name, &self.hasher);
        self.children
            .shrink_to_fit(|&n| Self::key_hash(hasher, parents[n as usize], names[n as usize]));
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
        let mut reused = String::from("leftover text");
        t.path_into(a, &mut reused);
        assert_eq!(reused, "usr/bin/ls");
        t.path_into(ROOT, &mut reused);
        assert_eq!(reused, "");
        let bin = t.parent(a);
        t.intern_child(bin, b"cat");
        assert_eq!(t.sorted_children(bin).len(), 2);
        assert_eq!(t.find_path([&b"usr"[..], b"nope"]), None);
        assert_eq!(
            t.child(bin, b"cat").map(|n| t.path(n)).as_deref(),
            Some("usr/bin/cat")
        );
        let empty = t.intern_child(bin, b"");
        assert_eq!(t.path(empty), "usr/bin/");
        // Without its lookup index the tree answers the same, and adding
        // nodes brings the index back instead of duplicating names.
        let before = t.len();
        t.drop_lookup_index();
        assert_eq!(
            t.child(bin, b"cat"),
            t.find_path([&b"usr"[..], b"bin", b"cat"])
        );
        assert_eq!(t.find_path([&b"usr"[..], b"bin", b"ls"]), Some(a));
        assert_eq!(t.intern_path([&b"usr"[..], b"bin", b"ls"]), a);
        assert_eq!(t.len(), before);
        assert_eq!(
            t.child(bin, b"cat").map(|n| t.path(n)).as_deref(),
            Some("usr/bin/cat")
        );
    }
}
