//! [`Table`]: rows of text shown as an HTML table in a notebook and as aligned text elsewhere.

use std::fmt;

/// A small table of strings, e.g. "what the tutorial reported, what this notebook got".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headings.
    pub fn new<S: ToString>(header: &[S]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row (missing cells are left empty, extra cells dropped).
    pub fn row<S: ToString>(mut self, cells: &[S]) -> Self {
        let mut row: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
        self
    }

    /// The table as an HTML `<table>`, every cell escaped.
    pub fn to_html(&self) -> String {
        let esc = escape_html;
        let mut h = String::from("<table><thead><tr>");
        for c in &self.header {
            h.push_str(&format!("<th style=\"text-align:left\">{}</th>", esc(c)));
        }
        h.push_str("</tr></thead><tbody>");
        for row in &self.rows {
            h.push_str("<tr>");
            for c in row {
                h.push_str(&format!("<td style=\"text-align:left\">{}</td>", esc(c)));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
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
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_string()
        };
        writeln!(f, "{}", line(&self.header))?;
        writeln!(
            f,
            "{}",
            widths
                .iter()
                .map(|w| "-".repeat(*w))
                .collect::<Vec<_>>()
                .join("  ")
        )?;
        for (i, row) in self.rows.iter().enumerate() {
            if i + 1 < self.rows.len() {
                writeln!(f, "{}", line(row))?;
            } else {
                write!(f, "{}", line(row))?;
            }
        }
        Ok(())
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
