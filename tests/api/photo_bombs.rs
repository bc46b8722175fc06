//! Decompression bombs against the photo upload, without login: small files whose headers
//! claim huge images. The real binary runs as a child process so that its peak memory is its
//! own; every answer must be a refusal, quickly, and memory must stay bounded.

use std::time::{Duration, Instant};

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

use crate::binary::Server;
use crate::helpers::{attach, fresh_database, TestApp};

const BOUNDARY: &str = "tillbudBombBoundary7MA4YWxkTrZu0gW";

/// Bits written least significant first, as DEFLATE wants them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, len: u32) {
        self.acc |= value << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE stores most significant bit first.
    fn code(&mut self, code: u64, len: u32) {
        self.put(reversed(code, len), len);
    }
}

fn reversed(code: u64, len: u32) -> u64 {
    (0..len).fold(0, |r, i| (r << 1) | ((code >> i) & 1))
}

/// A zlib stream of `n` zero bytes: one fixed-Huffman block, a literal 0 and then matches
/// of 258 bytes at distance 1 (13 bits each).
fn zlib_zeros(n: u64) -> Vec<u8> {
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        acc: 0,
        n: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let rest = n - 1;
    // Length 258 is symbol 285 (8-bit code 0xC5), distance 1 is code 0 (5 bits).
    let one_match = reversed(0xC5, 8) | (reversed(0, 5) << 8);
    for _ in 0..rest / 258 {
        bits.put(one_match, 13);
    }
    for _ in 0..rest % 258 {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    if bits.n > 0 {
        bits.out.push(bits.acc as u8);
    }
    let adler = ((n % 65_521) << 16) | 1;
    bits.out.extend_from_slice(&(adler as u32).to_be_bytes());
    bits.out
}

fn crc32(data: &[u8]) -> u32 {
    let table: Vec<u32> = (0..256u32)
        .map(|i| {
            (0..8).fold(i, |c, _| {
                if c & 1 != 0 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                }
            })
        })
        .collect();
    !data.iter().fold(0xFFFF_FFFFu32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A complete, valid PNG of zeros: `width`×`height`, 16-bit RGBA (8 bytes a pixel).
pub fn png_bomb(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[16, 6, 0, 0, 0]);
    png_chunk(&mut png, b"IHDR", &ihdr);
    let raw = u64::from(height) * (1 + u64::from(width) * 8);
    png_chunk(&mut png, b"IDAT", &zlib_zeros(raw));
    png_chunk(&mut png, b"IEND", &[]);
    png
}

fn small_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(64, 64, |x, y| Rgb([(x * 4) as u8, (y * 4) as u8, 90]));
    let mut out = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
        .unwrap();
    out
}

fn find_marker(bytes: &[u8], marker: u8) -> usize {
    bytes
        .windows(2)
        .position(|w| w == [0xFF, marker])
        .unwrap_or_else(|| panic!("no marker FF{marker:02X}"))
}

/// A small baseline JPEG whose frame header claims `width`×`height`: the scan data behind it
/// covers a corner, and a lenient decoder fills the rest.
pub fn jpeg_bomb(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = small_jpeg();
    let sof = find_marker(&jpeg, 0xC0);
    jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    jpeg
}

/// The same as a progressive JPEG (SOF2, a DC-only first scan): a decoder keeps every
/// coefficient of the whole frame.
pub fn progressive_jpeg_bomb(width: u16, height: u16) -> Vec<u8> {
    let mut jpeg = jpeg_bomb(width, height);
    let sof = find_marker(&jpeg, 0xC0);
    jpeg[sof + 1] = 0xC2;
    let sos = find_marker(&jpeg, 0xDA);
    let components = usize::from(jpeg[sos + 4]);
    let spectral_end = sos + 5 + components * 2 + 1;
    jpeg[spectral_end] = 0; // Se = 0: DC coefficients first
    jpeg
}

/// A lossless WebP whose header claims `width`×`height` (at most 16384 a side).
pub fn webp_bomb(width: u32, height: u32) -> Vec<u8> {
    let header: u32 = (width - 1) | ((height - 1) << 14) | (1 << 28);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&header.to_le_bytes());
    vp8l.extend_from_slice(&[0u8; 4096]);
    let mut webp = b"RIFF".to_vec();
    webp.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
    webp.extend_from_slice(b"WEBP");
    webp.extend_from_slice(b"VP8L");
    webp.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    webp.extend_from_slice(&vp8l);
    webp
}

pub fn multipart(file: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bild\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn new_case(app: &TestApp) -> String {
    let created = app.post_incident(&app.valid_report().await, None).await;
    assert_eq!(created.status, 201, "{}", created.raw);
    created.body["tracking_code"].as_str().unwrap().to_owned()
}

#[test]
fn the_bomb_files_are_what_they_claim() {
    let png = png_bomb(7000, 7000);
    // Small on the wire, 392 MB decoded.
    assert!(png.len() < 3 * 1024 * 1024, "{} bytes", png.len());
    let reader = image::ImageReader::new(std::io::Cursor::new(&png))
        .with_guessed_format()
        .unwrap();
    assert_eq!(reader.into_dimensions().unwrap(), (7000, 7000));
    let decoder = image::codecs::png::PngDecoder::new(std::io::Cursor::new(&png)).unwrap();
    assert_eq!(
        image::ImageDecoder::color_type(&decoder),
        image::ColorType::Rgba16
    );
    // A small one of the same make decodes to zeros: the stream is valid, not just a header.
    let small = image::load_from_memory(&png_bomb(300, 200)).unwrap();
    assert_eq!((small.width(), small.height()), (300, 200));
    assert!(small.to_rgba16().pixels().all(|p| p.0 == [0; 4]));

    for (jpeg, what) in [
        (jpeg_bomb(8000, 6000), "baseline"),
        (progressive_jpeg_bomb(8000, 6000), "progressive"),
    ] {
        assert!(jpeg.len() < 16 * 1024, "{what}: {} bytes", jpeg.len());
        let dims = image::ImageReader::new(std::io::Cursor::new(&jpeg))
            .with_guessed_format()
            .unwrap()
            .into_dimensions()
            .unwrap();
        assert_eq!(dims, (8000, 6000), "{what}");
    }
    let webp = webp_bomb(8000, 6000);
    let dims = image::ImageReader::new(std::io::Cursor::new(&webp))
        .with_guessed_format()
        .unwrap()
        .into_dimensions()
        .unwrap();
    assert_eq!(dims, (8000, 6000));
}

/// The target from the security probe: 16 concurrent worst-case uploads keep the server
/// under 300 MB resident, and every one is refused (413/422/503) within 5 s.
#[actix_rt::test]
async fn sixteen_concurrent_bombs_are_refused_quickly_in_bounded_memory() {
    let (database_url, _cleanup) = fresh_database();
    let server = Server::start(&database_url, &["--demo"], &[("RUST_LOG", "warn")]);
    let app = attach(server.address.clone(), &database_url);
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(new_case(&app).await);
    }
    let bombs = [
        ("png 7000×7000 rgba16", png_bomb(7000, 7000)),
        ("jpeg 8000×6000", jpeg_bomb(8000, 6000)),
        (
            "progressive jpeg 8000×6000",
            progressive_jpeg_bomb(8000, 6000),
        ),
        ("webp 8000×6000", webp_bomb(8000, 6000)),
    ];
    let before = server.peak_rss();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let uploads = (0..16).map(|i| {
        let (what, file) = &bombs[i % bombs.len()];
        let path = format!("/api/v1/track/{}/attachments", codes[i / 4]);
        let body = multipart(file);
        let (app, content_type) = (&app, &content_type);
        async move {
            let started = Instant::now();
            let reply = app
                .request("POST", &path, &[("content-type", content_type)], body)
                .await;
            (*what, reply, started.elapsed())
        }
    });
    let answers = futures_util::future::join_all(uploads).await;
    let peak = server.peak_rss();
    eprintln!(
        "peak RSS {} MB (before {} MB); answers: {:?}",
        peak / (1024 * 1024),
        before / (1024 * 1024),
        answers
            .iter()
            .map(|(what, r, took)| format!("{what}: {} in {took:?}", r.status))
            .collect::<Vec<_>>()
    );
    for (what, reply, took) in &answers {
        assert!(
            [413, 422, 503].contains(&reply.status),
            "{what}: {} {}",
            reply.status,
            reply.raw
        );
        reply.assert_problem(reply.status);
        assert!(
            *took < Duration::from_secs(5),
            "{what}: answered after {took:?}"
        );
    }
    assert!(
        peak < 300 * 1024 * 1024,
        "peak resident memory {} MB (before the uploads {} MB)",
        peak / (1024 * 1024),
        before / (1024 * 1024)
    );
    // A refusal is the client's doing, not an error of the server.
    let errors: Vec<String> = server
        .logs()
        .into_iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Nothing was stored, and the server still answers.
    for code in &codes {
        let tracked = app.get(&format!("/api/v1/track/{code}")).await;
        assert_eq!(tracked.status, 200, "{}", tracked.raw);
        assert_eq!(
            tracked.body["attachments"].as_array().map(Vec::len),
            Some(0)
        );
    }
}

/// Photos that pass the header checks and do decode — each near the decode bound (a
/// 2400×2400 16-bit RGBA PNG is 46 MB decoded and 23 MB more as 8 bits) — are decoded two at
/// a time here: the others wait briefly or get 503 with `Retry-After`, and memory stays
/// bounded. Before the bound every one was decoded at once.
#[actix_rt::test]
async fn photos_at_the_decode_bound_are_decoded_a_few_at_a_time() {
    let (database_url, _cleanup) = fresh_database();
    let server = Server::start(
        &database_url,
        &["--demo"],
        &[("RUST_LOG", "warn"), ("TILLBUD_PHOTO_DECODERS", "2")],
    );
    let app = attach(server.address.clone(), &database_url);
    let mut codes = Vec::new();
    for _ in 0..4 {
        codes.push(new_case(&app).await);
    }
    let file = png_bomb(2400, 2400);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let uploads = (0..16).map(|i| {
        let path = format!("/api/v1/track/{}/attachments", codes[i / 4]);
        let body = multipart(&file);
        let (app, content_type) = (&app, &content_type);
        async move {
            let started = Instant::now();
            let reply = app
                .request("POST", &path, &[("content-type", content_type)], body)
                .await;
            (reply, started.elapsed())
        }
    });
    let answers = futures_util::future::join_all(uploads).await;
    let peak = server.peak_rss();
    eprintln!(
        "peak RSS {} MB; answers: {:?}",
        peak / (1024 * 1024),
        answers
            .iter()
            .map(|(r, took)| format!("{} in {took:?}", r.status))
            .collect::<Vec<_>>()
    );
    let mut stored = 0;
    for (reply, took) in &answers {
        match reply.status {
            201 => stored += 1,
            503 => {
                reply.assert_problem(503);
                assert!(reply.header("retry-after").is_some(), "{}", reply.raw);
                // Refused at once, or after the bounded wait for a turn.
                assert!(*took < Duration::from_secs(5), "503 after {took:?}");
            }
            other => panic!("{other}: {}", reply.raw),
        }
    }
    assert!(stored >= 2, "{stored} stored");
    // Shedding load on purpose is a WARN, not an ERROR.
    let errors: Vec<String> = server
        .logs()
        .into_iter()
        .filter(|l| l.contains("\"level\":\"ERROR\""))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert!(
        peak < 300 * 1024 * 1024,
        "peak resident memory {} MB",
        peak / (1024 * 1024)
    );
}
