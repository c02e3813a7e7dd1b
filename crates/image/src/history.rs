//! Matches config history entries to layers: entries marked `empty_layer`
//! made no layer, the others map to layers in order.

/// One history entry, reduced to what matching needs.
#[derive(Debug, Clone, Default)]
pub struct HistoryItem {
    /// The instruction (`created_by`).
    pub created_by: Option<String>,
    /// Whether it produced no layer.
    pub empty_layer: bool,
}

/// The instruction for each of `layer_count` layers (`None` when history runs out).
pub fn instructions(history: &[HistoryItem], layer_count: usize) -> Vec<Option<String>> {
    let mut made_layers = history.iter().filter(|h| !h.empty_layer);
    (0..layer_count)
        .map(|_| made_layers.next().and_then(|h| h.created_by.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(cmd: &str, empty: bool) -> HistoryItem {
        HistoryItem {
            created_by: Some(cmd.to_string()),
            empty_layer: empty,
        }
    }

    #[test]
    fn skips_empty_layers() {
        let h = vec![
            item("ADD rootfs", false),
            item("ENV A=1", true),
            item("RUN apt-get install x", false),
            item("CMD bash", true),
        ];
        let got = instructions(&h, 3);
        assert_eq!(got[0].as_deref(), Some("ADD rootfs"));
        assert_eq!(got[1].as_deref(), Some("RUN apt-get install x"));
        assert_eq!(got[2], None);
    }
}
