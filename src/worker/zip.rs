//! A minimal ZIP writer (stored entries, no compression) for "download everything":
//! the page assembles the archive as a Blob from these headers and the files'
//! own Blobs, so the archive is never copied into WebAssembly memory.

/// CRC-32 (IEEE), updated a slice at a time.
#[derive(Debug, Clone, Copy)]
pub struct Crc32(u32);

const fn tables() -> [[u32; 256]; 8] {
    let mut t = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        t[0][i] = c;
        i += 1;
    }
    // Table k gives the CRC of a byte followed by k zero bytes: eight bytes at a time.
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t[0][(prev & 0xFF) as usize];
            i += 1;
        }
        k += 1;
    }
    t
}

const TABLES: [[u32; 256]; 8] = tables();

impl Default for Crc32 {
    fn default() -> Self {
        Crc32(0xFFFF_FFFF)
    }
}

impl Crc32 {
    /// Adds bytes (eight at a time: the zip of a large run checksums gigabytes).
    pub fn update(&mut self, bytes: &[u8]) {
        let t = &TABLES;
        let mut c = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for b in &mut chunks {
            let one = c ^ u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            let two = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            c = t[7][(one & 0xFF) as usize]
                ^ t[6][((one >> 8) & 0xFF) as usize]
                ^ t[5][((one >> 16) & 0xFF) as usize]
                ^ t[4][(one >> 24) as usize]
                ^ t[3][(two & 0xFF) as usize]
                ^ t[2][((two >> 8) & 0xFF) as usize]
                ^ t[1][((two >> 16) & 0xFF) as usize]
                ^ t[0][(two >> 24) as usize];
        }
        for &b in chunks.remainder() {
            c = t[0][((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }

    /// The checksum.
    pub fn value(self) -> u32 {
        !self.0
    }
}

/// One file of the archive.
#[derive(Debug, Clone)]
pub struct Entry {
    /// File name (ASCII).
    pub name: String,
    /// Its CRC-32.
    pub crc: u32,
    /// Its size in bytes.
    pub size: u64,
}

/// 1980-01-01 00:00: a fixed date, so the same files give the same archive.
const DOS_TIME: u16 = 0;
const DOS_DATE: u16 = (1 << 5) | 1;

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// The local header that precedes an entry's bytes.
pub fn local_header(e: &Entry) -> Vec<u8> {
    let mut v = Vec::with_capacity(30 + e.name.len());
    u32le(&mut v, 0x0403_4b50);
    u16le(&mut v, 20); // version needed
    u16le(&mut v, 0); // flags
    u16le(&mut v, 0); // stored
    u16le(&mut v, DOS_TIME);
    u16le(&mut v, DOS_DATE);
    u32le(&mut v, e.crc);
    u32le(&mut v, e.size as u32);
    u32le(&mut v, e.size as u32);
    u16le(&mut v, e.name.len() as u16);
    u16le(&mut v, 0);
    v.extend_from_slice(e.name.as_bytes());
    v
}

/// The central directory and end record, after every entry; `None` when the archive
/// would pass the 4 GiB limit of plain ZIP.
pub fn central_directory(entries: &[Entry]) -> Option<Vec<u8>> {
    let mut v = Vec::new();
    let mut offset: u64 = 0;
    for e in entries {
        if e.size > u32::MAX as u64 || offset > u32::MAX as u64 {
            return None;
        }
        u32le(&mut v, 0x0201_4b50);
        u16le(&mut v, 20); // made by
        u16le(&mut v, 20); // needed
        u16le(&mut v, 0);
        u16le(&mut v, 0);
        u16le(&mut v, DOS_TIME);
        u16le(&mut v, DOS_DATE);
        u32le(&mut v, e.crc);
        u32le(&mut v, e.size as u32);
        u32le(&mut v, e.size as u32);
        u16le(&mut v, e.name.len() as u16);
        u16le(&mut v, 0); // extra
        u16le(&mut v, 0); // comment
        u16le(&mut v, 0); // disk
        u16le(&mut v, 0); // internal attributes
        u32le(&mut v, 0); // external attributes
        u32le(&mut v, offset as u32);
        v.extend_from_slice(e.name.as_bytes());
        offset += 30 + e.name.len() as u64 + e.size;
    }
    if offset > u32::MAX as u64 {
        return None;
    }
    let size = v.len() as u32;
    u32le(&mut v, 0x0605_4b50);
    u16le(&mut v, 0);
    u16le(&mut v, 0);
    u16le(&mut v, entries.len() as u16);
    u16le(&mut v, entries.len() as u16);
    u32le(&mut v, size);
    u32le(&mut v, offset as u32);
    u16le(&mut v, 0);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_bytes_at_a_time_equals_the_bitwise_definition() {
        fn bitwise(bytes: &[u8]) -> u32 {
            let mut c = 0xFFFF_FFFFu32;
            for &b in bytes {
                c ^= b as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            !c
        }
        let data: Vec<u8> = (0..1000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 999, 1000] {
            // Whole, and in two updates split at an odd place.
            let mut c = Crc32::default();
            c.update(&data[..len]);
            assert_eq!(c.value(), bitwise(&data[..len]), "{len} bytes");
            let mut c = Crc32::default();
            c.update(&data[..len / 3]);
            c.update(&data[len / 3..len]);
            assert_eq!(c.value(), bitwise(&data[..len]), "{len} bytes in two parts");
        }
    }

    #[test]
    fn crc32_of_the_check_string() {
        let mut c = Crc32::default();
        c.update(b"12345");
        c.update(b"6789");
        assert_eq!(c.value(), 0xCBF4_3926);
    }

    #[test]
    fn an_archive_that_python_reads_back() {
        let files: [(&str, &[u8]); 2] = [("a.csv", b"x,y\n1,2\n"), ("manifest.json", b"{}\n")];
        let entries: Vec<Entry> = files
            .iter()
            .map(|(n, b)| {
                let mut c = Crc32::default();
                c.update(b);
                Entry {
                    name: n.to_string(),
                    crc: c.value(),
                    size: b.len() as u64,
                }
            })
            .collect();
        let mut zip = Vec::new();
        for (e, (_, b)) in entries.iter().zip(files) {
            zip.extend(local_header(e));
            zip.extend_from_slice(b);
        }
        zip.extend(central_directory(&entries).expect("small"));
        // The end record says where the directory starts and how many entries it has.
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2);
        let dir_offset = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
        assert_eq!(&zip[dir_offset..dir_offset + 4], &[0x50, 0x4b, 0x01, 0x02]);
        // And a real reader agrees, where one is installed.
        let path = std::env::temp_dir().join(format!("numberly-zip-{}.zip", std::process::id()));
        std::fs::write(&path, &zip).expect("temp file");
        let script = "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; \
                      print(z.read('a.csv').decode(), end='')";
        if let Ok(out) = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output()
        {
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            assert_eq!(out.stdout, b"x,y\n1,2\n");
        }
        let _ = std::fs::remove_file(path);
    }
}
