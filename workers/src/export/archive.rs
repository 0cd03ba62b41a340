//! The export ZIP, written while the rows are read: `tables/<table>.ndjson` (one JSON object per
//! row, as PostgreSQL's `row_to_json` writes it), `tables/<table>.csv` (a header of the table's
//! columns, then the same rows: strings as they are, null as an empty cell, anything else as its
//! JSON text) and, last, `manifest.json` (which also names the tables and columns left out). The
//! ZIP goes to a temporary file and each table's CSV to a side file copied in after its NDJSON
//! entry, so memory holds one batch of rows at most.
//! Writing is blocking file I/O: callers run these methods on a blocking thread.

use serde::Serialize;
use serde_json::Value;
use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufWriter, Seek, SeekFrom, Write},
    path::Path,
};
use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};

/// What the manifest says of one table.
#[derive(Debug, Clone, Serialize)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    pub columns: Vec<String>,
    pub ndjson: String,
    pub csv: String,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: &'static str,
    pub format_version: u32,
    pub export_id: String,
    pub tenant_id: String,
    /// The newest database migration the data was read under.
    pub schema_version: i64,
    pub created_at: String,
    pub tables: Vec<TableEntry>,
    /// Tenant tables not in the export (delivery plumbing).
    pub left_out: Vec<String>,
    /// Columns left out of their tables (secrets), by table.
    pub redacted: BTreeMap<String, Vec<String>>,
}

struct Open {
    entry: TableEntry,
    csv: csv::Writer<BufWriter<File>>,
}

pub struct Archive {
    zip: ZipWriter<BufWriter<File>>,
    work_dir: std::path::PathBuf,
    open: Option<Open>,
    done: Vec<TableEntry>,
}

fn options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(true)
}

/// The CSV cell of a JSON value.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

impl Archive {
    /// Starts the ZIP in `file`; side files go to `work_dir`.
    pub fn create(file: File, work_dir: &Path) -> Self {
        Self {
            zip: ZipWriter::new(BufWriter::with_capacity(256 * 1024, file)),
            work_dir: work_dir.to_owned(),
            open: None,
            done: Vec::new(),
        }
    }

    pub fn begin_table(&mut self, name: &str, columns: &[String]) -> anyhow::Result<()> {
        anyhow::ensure!(self.open.is_none(), "table {name} begun inside another");
        let ndjson = format!("tables/{name}.ndjson");
        self.zip.start_file(ndjson.as_str(), options())?;
        let side = tempfile::tempfile_in(&self.work_dir)?;
        let mut csv = csv::Writer::from_writer(BufWriter::new(side));
        csv.write_record(columns)?;
        self.open = Some(Open {
            entry: TableEntry {
                name: name.to_owned(),
                rows: 0,
                columns: columns.to_vec(),
                ndjson,
                csv: format!("tables/{name}.csv"),
            },
            csv,
        });
        Ok(())
    }

    /// Appends rows (JSON objects as text) to the open table.
    pub fn write_rows(&mut self, rows: &[String]) -> anyhow::Result<()> {
        let open = self
            .open
            .as_mut()
            .ok_or_else(|| anyhow::anyhow!("rows outside a table"))?;
        for row in rows {
            self.zip.write_all(row.as_bytes())?;
            self.zip.write_all(b"\n")?;
            let object: serde_json::Map<String, Value> = serde_json::from_str(row)?;
            open.csv
                .write_record(open.entry.columns.iter().map(|c| cell(object.get(c))))?;
            open.entry.rows += 1;
        }
        Ok(())
    }

    /// Closes the open table: its CSV entry follows its NDJSON entry. Returns its row count.
    pub fn end_table(&mut self) -> anyhow::Result<u64> {
        let Open { entry, csv } = self
            .open
            .take()
            .ok_or_else(|| anyhow::anyhow!("no table to end"))?;
        let mut side = csv
            .into_inner()
            .map_err(|e| anyhow::anyhow!("flushing the CSV: {e}"))?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("flushing the CSV: {e}"))?;
        side.seek(SeekFrom::Start(0))?;
        self.zip.start_file(entry.csv.as_str(), options())?;
        std::io::copy(&mut side, &mut self.zip)?;
        let rows = entry.rows;
        self.done.push(entry);
        Ok(rows)
    }

    /// Writes the manifest (from the tables written) and the ZIP's directory; the file is
    /// complete and synced when this returns.
    pub fn finish(mut self, mut manifest: Manifest) -> anyhow::Result<()> {
        anyhow::ensure!(self.open.is_none(), "a table is still open");
        manifest.tables = std::mem::take(&mut self.done);
        self.zip.start_file("manifest.json", options())?;
        serde_json::to_writer_pretty(&mut self.zip, &manifest)?;
        let file = self
            .zip
            .finish()?
            .into_inner()
            .map_err(|e| anyhow::anyhow!("flushing the ZIP: {e}"))?;
        file.sync_all()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn tables_become_ndjson_and_matching_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zip");
        let mut archive = Archive::create(File::create(&path).unwrap(), dir.path());
        let columns = vec![
            "id".to_owned(),
            "name".to_owned(),
            "tags".to_owned(),
            "gone".to_owned(),
        ];
        archive.begin_table("things", &columns).unwrap();
        archive
            .write_rows(&[
                r#"{"id":1,"name":"a, \"quoted\"\nline","tags":["x"],"gone":null}"#.into(),
                r#"{"id":2,"name":"","tags":{"k":true},"gone":"2026-01-01T00:00:00+00:00"}"#.into(),
            ])
            .unwrap();
        assert_eq!(archive.end_table().unwrap(), 2);
        archive
            .finish(Manifest {
                format: "eventkit-export",
                format_version: 1,
                export_id: "e".into(),
                tenant_id: "t".into(),
                schema_version: 32,
                created_at: "now".into(),
                tables: Vec::new(),
                left_out: vec!["outbox".into()],
                redacted: BTreeMap::new(),
            })
            .unwrap();

        let mut zip = zip::ZipArchive::new(File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        assert_eq!(
            names,
            ["tables/things.ndjson", "tables/things.csv", "manifest.json"]
        );
        let mut csv_text = String::new();
        zip.by_name("tables/things.csv")
            .unwrap()
            .read_to_string(&mut csv_text)
            .unwrap();
        let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
        assert_eq!(
            reader.headers().unwrap(),
            vec!["id", "name", "tags", "gone"]
        );
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records[0], vec!["1", "a, \"quoted\"\nline", "[\"x\"]", ""]);
        assert_eq!(
            records[1],
            vec!["2", "", "{\"k\":true}", "2026-01-01T00:00:00+00:00"]
        );
        let mut manifest = String::new();
        zip.by_name("manifest.json")
            .unwrap()
            .read_to_string(&mut manifest)
            .unwrap();
        let manifest: Value = serde_json::from_str(&manifest).unwrap();
        assert_eq!(manifest["tables"][0]["rows"], 2);
        assert_eq!(manifest["schemaVersion"], 32);
        assert_eq!(manifest["leftOut"], serde_json::json!(["outbox"]));
    }
}
