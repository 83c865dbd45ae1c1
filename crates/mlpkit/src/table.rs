//! [`Table`]: rows of text shown as an HTML table in a notebook and as aligned text
//! elsewhere. Every table the crate shows (a model's summary, a training history, a
//! classification report) is one of these.

use std::fmt;

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    /// Text: flush left (the default).
    #[default]
    Left,
    /// Numbers: flush right, so that their digits line up.
    Right,
}

impl Align {
    fn css(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Right => "right",
        }
    }
}

/// A small table of strings, e.g. "what the tutorial reported, what this notebook got".
/// Printed as text; in a notebook, a cell whose value is a `Table` shows it as HTML.
///
/// ```
/// use mlpkit::table::{Align, Table};
/// let table = Table::new(&["model", "accuracy"])
///     .align(&[Align::Left, Align::Right])
///     .row(&["tutorial", "97.8 %"])
///     .row(&["this notebook", "98.1 %"]);
/// assert_eq!(table.len(), 2);
/// assert_eq!(table.to_string().lines().nth(3), Some("this notebook    98.1 %"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    align: Vec<Align>,
    rows: Vec<Vec<String>>,
    note: Vec<String>,
}

impl Table {
    /// An empty table with these column headings, every column flush left.
    pub fn new<S: ToString>(header: &[S]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            align: vec![Align::Left; header.len()],
            rows: Vec::new(),
            note: Vec::new(),
        }
    }

    /// Sets how each column lines up (missing entries stay flush left).
    pub fn align(mut self, align: &[Align]) -> Self {
        for (mine, &a) in self.align.iter_mut().zip(align) {
            *mine = a;
        }
        self
    }

    /// Appends a row (missing cells are left empty, extra cells dropped).
    pub fn row<S: ToString>(mut self, cells: &[S]) -> Self {
        self.push(cells);
        self
    }

    /// Appends a row in place (for tables built in a loop).
    pub fn push<S: ToString>(&mut self, cells: &[S]) {
        let mut row: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// A line of text shown under the table (totals, an explanation).
    pub fn note(mut self, line: impl Into<String>) -> Self {
        self.note.push(line.into());
        self
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as an HTML `<table>`, every cell escaped.
    pub fn to_html(&self) -> String {
        let mut h = String::from("<table><thead><tr>");
        for (c, a) in self.header.iter().zip(&self.align) {
            h.push_str(&format!(
                "<th style=\"text-align:{}\">{}</th>",
                a.css(),
                escape_html(c)
            ));
        }
        h.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            h.push_str("<tr>");
            for (c, a) in row.iter().zip(&self.align) {
                h.push_str(&format!(
                    "<td style=\"text-align:{}\">{}</td>",
                    a.css(),
                    escape_html(c)
                ));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
        if !self.note.is_empty() {
            let lines: Vec<String> = self.note.iter().map(|l| escape_html(l)).collect();
            h.push_str(&format!("<p>{}</p>", lines.join("<br>")));
        }
        h
    }

    /// Shows the table as HTML when it is the value of a notebook cell; the plain-text form
    /// goes along so that the numbers can also be read (and checked) as text.
    pub fn evcxr_display(&self) {
        println!(
            "EVCXR_BEGIN_CONTENT text/html\n{}\nEVCXR_END_CONTENT",
            self.to_html()
        );
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.header[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&self.align)
                .map(|((c, &w), a)| match a {
                    Align::Left => format!("{c:<w$}"),
                    Align::Right => format!("{c:>w$}"),
                })
                .collect();
            padded.join("  ").trim_end().to_string()
        };
        let mut lines = vec![line(&self.header)];
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        lines.push(rule.join("  "));
        lines.extend(self.rows.iter().map(|r| line(r)));
        lines.extend(self.note.iter().cloned());
        write!(f, "{}", lines.join("\n"))
    }
}

/// `text` with the characters that HTML gives a meaning (`& < > " '`) written as entities.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
