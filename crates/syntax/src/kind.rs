//! The kinds of tokens and nodes in the lossless tree.

/// Kind of a token (leaf) or node (branch) of the syntax tree.
///
/// Tokens are lexical: they say what the bytes are (a word, blanks, a line break...).
/// Nodes carry the meaning (an instruction, a flag, an argument...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // Tokens.
    /// A UTF-8 byte-order mark at the start of the file.
    BOM = 0,
    /// Blanks: spaces, tabs and other non-newline whitespace.
    WHITESPACE,
    /// A line ending: `\n`, `\r\n`, or any run of `\r`/`\n` that ends a line.
    NEWLINE,
    /// A comment line's text, from `#` to the end of the line (line ending excluded).
    COMMENT,
    /// A line continuation: the escape character and the blanks after it, before the line
    /// ending.
    LINE_CONTINUATION,
    /// A run of non-blank text inside an instruction.
    WORD,
    /// One line of a heredoc body or its terminator, line ending excluded.
    HEREDOC_TEXT,

    // Nodes.
    /// The whole file.
    ROOT,
    /// A parser directive line such as `# syntax=docker/dockerfile:1`.
    DIRECTIVE,
    /// One instruction, from its keyword to the end of its last line (heredoc bodies
    /// included, final line ending excluded). ONBUILD holds its trigger as a nested
    /// INSTRUCTION.
    INSTRUCTION,
    /// The instruction keyword (`RUN`, `from`...).
    KEYWORD,
    /// A builder flag such as `--mount=type=cache,target=/root/.cache`.
    FLAG,
    /// The flag name with its leading dashes (`--mount`).
    FLAG_NAME,
    /// The flag value after `=`.
    FLAG_VALUE,
    /// A JSON array argument list (`["a", "b"]`).
    EXEC_FORM,
    /// A shell-form command line (RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK CMD).
    SHELL_FORM,
    /// One argument: a JSON string element, or a whitespace-delimited word.
    ARGUMENT,
    /// A `key=value` pair (ENV, LABEL, ARG) or a legacy `key value` pair.
    KEY_VALUE,
    /// The key of a KEY_VALUE.
    KEY,
    /// The value of a KEY_VALUE.
    VALUE,
    /// A heredoc marker in the instruction line (`<<EOF`, `<<-"EOF"`).
    HEREDOC_MARKER,
    /// A heredoc body: the lines between the instruction and the terminator.
    HEREDOC_BODY,
    /// The heredoc terminator line.
    HEREDOC_END,
}

impl SyntaxKind {
    /// Whether this kind is a token kind (as opposed to a node kind).
    pub fn is_token(self) -> bool {
        (self as u16) < (SyntaxKind::ROOT as u16)
    }

    fn from_raw(raw: u16) -> SyntaxKind {
        use SyntaxKind::*;
        const ALL: [SyntaxKind; 23] = [
            BOM,
            WHITESPACE,
            NEWLINE,
            COMMENT,
            LINE_CONTINUATION,
            WORD,
            HEREDOC_TEXT,
            ROOT,
            DIRECTIVE,
            INSTRUCTION,
            KEYWORD,
            FLAG,
            FLAG_NAME,
            FLAG_VALUE,
            EXEC_FORM,
            SHELL_FORM,
            ARGUMENT,
            KEY_VALUE,
            KEY,
            VALUE,
            HEREDOC_MARKER,
            HEREDOC_BODY,
            HEREDOC_END,
        ];
        // Raw kinds only ever come from `SyntaxKind as u16`, so the fallback is unreachable
        // in practice; it keeps this total without a panic path.
        ALL.get(usize::from(raw)).copied().unwrap_or(WORD)
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    fn from(kind: SyntaxKind) -> Self {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag for Dockerfiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DockerfileLanguage {}

impl rowan::Language for DockerfileLanguage {
    type Kind = SyntaxKind;

    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        SyntaxKind::from_raw(raw.0)
    }

    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

/// A node of the lossless tree.
pub type SyntaxNode = rowan::SyntaxNode<DockerfileLanguage>;
/// A token (leaf) of the lossless tree.
pub type SyntaxToken = rowan::SyntaxToken<DockerfileLanguage>;
/// A node or a token.
pub type SyntaxElement = rowan::NodeOrToken<SyntaxNode, SyntaxToken>;
