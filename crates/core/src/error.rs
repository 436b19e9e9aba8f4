//! The engine's one error type: for "cannot go on", never for a bad row.

use std::fmt;

/// Why a run cannot go on.
#[derive(Debug)]
pub enum Error {
    /// Options that do not make sense, with a sentence naming the field.
    Options(String),
    /// A file that cannot be used at all.
    Input {
        /// The file's name.
        file: String,
        /// What is wrong, naming the column or line where there is one.
        message: String,
    },
    /// A read or write failed.
    Io {
        /// The file involved.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Options(m) => write!(f, "invalid options: {m}"),
            Error::Input { file, message } => write!(f, "{file}: {message}"),
            Error::Io { file, source } => write!(f, "{file}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// An unusable-input error for `file`.
    pub fn input(file: &str, message: impl Into<String>) -> Self {
        Error::Input {
            file: file.to_string(),
            message: message.into(),
        }
    }

    /// An I/O error on `file`.
    pub fn io(file: &str, source: std::io::Error) -> Self {
        Error::Io {
            file: file.to_string(),
            source,
        }
    }
}
