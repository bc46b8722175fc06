//! Photos from reporters: recognised by their bytes, decoded within bounds, and re-encoded so
//! that nothing from the phone survives but the pixels. A photo's EXIF block can carry the
//! reporter's GPS position, device and time; the stored image never does.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ColorType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most photos one case may hold.
pub const MAX_PER_INCIDENT: i64 = 5;
/// Largest side and pixel count decoded; anything larger is refused from the header, before
/// it is decoded, so a small file that claims huge dimensions cannot exhaust memory.
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 50_000_000;
/// The default bound on the memory one decode may need (see [`decode_cost`]): a 12-megapixel
/// phone photo is 36 MB in 8-bit RGB; this takes a 24-megapixel JPEG or a 12-megapixel
/// progressive one, and keeps a handful of concurrent decodes well under a few hundred MB.
pub const DEFAULT_MAX_DECODE_BYTES: u64 = 72 * 1024 * 1024;
/// Longest side stored. Phones send 12-megapixel photos; 2560 px shows every detail a case
/// needs at a fraction of the size.
pub const STORED_MAX_SIDE: u32 = 2560;
const JPEG_QUALITY: u8 = 85;

/// What the bytes say they are, by their first bytes, never by a file name or header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    Jpeg,
    Png,
    Webp,
    /// HEIC/HEIF/AVIF: recognised, but no pure-Rust decoder is available, so refused.
    Heif,
    Unknown,
}

pub fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Sniffed::Jpeg
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Sniffed::Png
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Sniffed::Webp
    } else if bytes.len() >= 12
        && &bytes[4..8] == b"ftyp"
        && matches!(
            &bytes[8..12],
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" | b"avif"
        )
    {
        Sniffed::Heif
    } else {
        Sniffed::Unknown
    }
}

/// Why a photo was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    Empty,
    TooLarge,
    /// Not an image type we accept (415).
    UnsupportedType(Sniffed),
    /// Claims to be an image but does not decode.
    Undecodable(String),
    /// Its header claims more pixels, or more decoded bytes, than the bounds allow.
    TooManyPixels {
        width: u32,
        height: u32,
    },
}

/// A photo as stored: re-encoded, metadata-free.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPhoto {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub width: u32,
    pub height: u32,
}

/// What a photo's header says, read without decoding a pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub color: ColorType,
    /// The bytes decoding it will hold at once, by [`decode_cost`].
    pub decode_bytes: u64,
}

/// Reads the header and refuses, without decoding, anything that is not a photo we take or
/// that would need more than `max_decode_bytes` to decode. Cheap: no pixel is decoded.
pub fn inspect(bytes: &[u8], max_decode_bytes: u64) -> Result<Header, PhotoError> {
    let (header, _decoder) = open(bytes, max_decode_bytes)?;
    Ok(header)
}

fn open(
    bytes: &[u8],
    max_decode_bytes: u64,
) -> Result<(Header, impl ImageDecoder + '_), PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = match sniff(bytes) {
        Sniffed::Jpeg => ImageFormat::Jpeg,
        Sniffed::Png => ImageFormat::Png,
        Sniffed::Webp => ImageFormat::WebP,
        other => return Err(PhotoError::UnsupportedType(other)),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits(max_decode_bytes));
    // Building the decoder reads the header only; the limits refuse an oversize side here.
    let decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    let color = decoder.color_type();
    let too_many = PhotoError::TooManyPixels { width, height };
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_many);
    }
    let decode_bytes = decode_cost(bytes, format, width, height, color);
    if decode_bytes > max_decode_bytes {
        return Err(too_many);
    }
    let header = Header {
        format,
        width,
        height,
        color,
        decode_bytes,
    };
    Ok((header, decoder))
}

/// The decoder's own bounds: sides, and the allocation it may make (with room for its
/// working buffers, which [`decode_cost`] already counts).
fn limits(max_decode_bytes: u64) -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(max_decode_bytes);
    limits
}

fn undecodable(e: image::ImageError) -> PhotoError {
    match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: 0,
            height: 0,
        },
        other => PhotoError::Undecodable(other.to_string()),
    }
}

/// The memory a decode holds at its peak, from the header: the decoded pixels (width ×
/// height × bytes per pixel), plus what is kept beside them — a progressive JPEG's decoder
/// holds every DCT coefficient (2 bytes per sample of each component, as subsampled), a
/// WebP's its YUV or ARGB working frame (counted as 2 bytes per pixel), and a 16-bit image
/// is copied to 8 bits before it is scaled. Beyond this only the input and the scaled image
/// (at most 2560 × 2560) are held.
pub fn decode_cost(
    bytes: &[u8],
    format: ImageFormat,
    width: u32,
    height: u32,
    color: ColorType,
) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    let decoded = pixels * u64::from(color.bytes_per_pixel());
    let working = match format {
        ImageFormat::Jpeg => jpeg_frame(bytes)
            .filter(|f| f.progressive)
            .map_or(0, |f| f.coefficient_bytes(width, height)),
        ImageFormat::WebP => pixels * 2,
        _ => 0,
    };
    let eight_bit_copy = if is_8_bit(color) {
        0
    } else {
        pixels * if color.has_alpha() { 4 } else { 3 }
    };
    decoded + working + eight_bit_copy
}

/// The parts of a JPEG frame header (SOFn) that decide how much a decoder keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
struct JpegFrame {
    progressive: bool,
    /// (horizontal, vertical) sampling factor of each component.
    sampling: Vec<(u8, u8)>,
}

impl JpegFrame {
    fn coefficient_bytes(&self, width: u32, height: u32) -> u64 {
        let h_max = u64::from(self.sampling.iter().map(|s| s.0).max().unwrap_or(1).max(1));
        let v_max = u64::from(self.sampling.iter().map(|s| s.1).max().unwrap_or(1).max(1));
        // Padded to whole 8×8 blocks of whole MCUs, as the decoder allocates them.
        let mcu_w = u64::from(width).div_ceil(8 * h_max);
        let mcu_h = u64::from(height).div_ceil(8 * v_max);
        self.sampling
            .iter()
            .map(|&(h, v)| mcu_w * u64::from(h) * 8 * mcu_h * u64::from(v) * 8 * 2)
            .sum()
    }
}

/// Walks the JPEG marker segments up to the first frame header. `None` when there is none
/// (the decoder then refuses the file anyway).
fn jpeg_frame(bytes: &[u8]) -> Option<JpegFrame> {
    let mut at = 2; // after SOI
    loop {
        // Markers may be padded with any number of 0xFF bytes.
        while *bytes.get(at)? == 0xFF && *bytes.get(at + 1)? == 0xFF {
            at += 1;
        }
        if *bytes.get(at)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        if marker == 0xD8 || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let segment = bytes.get(at + 4..at + 2 + len)?;
        match marker {
            // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let count = usize::from(*segment.get(5)?);
                let sampling = (0..count)
                    .map(|i| segment.get(6 + i * 3 + 1).map(|s| (s >> 4, s & 0x0F)))
                    .collect::<Option<Vec<_>>>()?;
                return Some(JpegFrame {
                    progressive: matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE),
                    sampling,
                });
            }
            0xDA | 0xD9 => return None,
            _ => at += 2 + len,
        }
    }
}

/// Decodes, applies the EXIF orientation, bounds the size and re-encodes. CPU-bound: run it
/// off the async executor, and only as many at once as the decode gate allows. The header is
/// checked again here, so no caller can decode what [`inspect`] would refuse.
pub fn clean(bytes: &[u8], max_decode_bytes: u64) -> Result<CleanPhoto, PhotoError> {
    let (header, mut decoder) = open(bytes, max_decode_bytes)?;
    // A missing or unreadable orientation tag means "as stored", not a refusal.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    // `DynamicImage::from_decoder` does not count its buffer against the limits itself.
    let mut limits = limits(max_decode_bytes);
    limits.reserve(decoder.total_bytes()).map_err(undecodable)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    // 16-bit and float images become 8-bit first, so that scaling works on the smaller copy.
    if !is_8_bit(header.color) {
        image = if image.color().has_alpha() {
            DynamicImage::ImageRgba8(image.to_rgba8())
        } else {
            DynamicImage::ImageRgb8(image.to_rgb8())
        };
    }
    if image.width() > STORED_MAX_SIDE || image.height() > STORED_MAX_SIDE {
        // Area averaging straight into the small image: no full-size floating-point copy,
        // which a filtered resize makes (16 bytes a pixel) and which would dwarf the photo.
        image = image.thumbnail(STORED_MAX_SIDE, STORED_MAX_SIDE);
    }
    // Turned after scaling: the bound is the same on both sides, and the copy is small.
    image.apply_orientation(orientation);
    encode(image)
}

fn is_8_bit(color: ColorType) -> bool {
    matches!(
        color,
        ColorType::L8 | ColorType::La8 | ColorType::Rgb8 | ColorType::Rgba8
    )
}

/// Photos become JPEG; only images with transparency stay PNG (screenshots, drawings). The
/// encoders write pixels only, so no EXIF, XMP, ICC or text chunk from the upload survives.
/// Takes the image by value so that an 8-bit image is encoded without another copy.
fn encode(image: DynamicImage) -> Result<CleanPhoto, PhotoError> {
    let mut out = Vec::new();
    let (width, height) = (image.width(), image.height());
    let content_type = if image.color().has_alpha() {
        image
            .into_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|e| PhotoError::Undecodable(e.to_string()))?;
        "image/png"
    } else {
        image
            .into_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
            .map_err(|e| PhotoError::Undecodable(e.to_string()))?;
        "image/jpeg"
    };
    Ok(CleanPhoto {
        bytes: out,
        content_type,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: u64 = DEFAULT_MAX_DECODE_BYTES;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, _| Rgb([(x % 256) as u8, 80, 160]));
        let mut out = Vec::new();
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
            .unwrap();
        out
    }

    /// An APP1 Exif segment with orientation 6 ("rotate 90° clockwise") and a marker string.
    fn with_exif(jpeg: &[u8]) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"II*\0\x08\0\0\0");
        tiff.extend_from_slice(&2u16.to_le_bytes());
        // Orientation (0x0112), SHORT, 1 value: 6.
        tiff.extend_from_slice(&0x0112u16.to_le_bytes());
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend_from_slice(&1u32.to_le_bytes());
        tiff.extend_from_slice(&6u32.to_le_bytes());
        // Make (0x010F), ASCII, 8 bytes at offset 38.
        tiff.extend_from_slice(&0x010Fu16.to_le_bytes());
        tiff.extend_from_slice(&2u16.to_le_bytes());
        tiff.extend_from_slice(&8u32.to_le_bytes());
        tiff.extend_from_slice(&38u32.to_le_bytes());
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"SECRET!\0");
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(&jpeg(4, 4)), Sniffed::Jpeg);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Sniffed::Png);
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Sniffed::Webp);
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Sniffed::Heif);
        assert_eq!(sniff(b"GIF89a......"), Sniffed::Unknown);
        assert_eq!(sniff(b"%PDF-1.7"), Sniffed::Unknown);
    }

    #[test]
    fn strips_exif_and_applies_orientation() {
        let upload = with_exif(&jpeg(40, 20));
        assert!(upload.windows(7).any(|w| w == b"SECRET!"));
        let clean = clean(&upload, MAX).unwrap();
        assert_eq!(clean.content_type, "image/jpeg");
        // Orientation 6 turns a 40×20 landscape into 20×40 portrait.
        assert_eq!((clean.width, clean.height), (20, 40));
        assert!(!clean.bytes.windows(6).any(|w| w == b"Exif\0\0"));
        assert!(!clean.bytes.windows(7).any(|w| w == b"SECRET!"));
        let again = image::load_from_memory(&clean.bytes).unwrap();
        assert_eq!((again.width(), again.height()), (20, 40));
    }

    #[test]
    fn large_photos_are_scaled_down_keeping_the_aspect() {
        let clean = clean(&jpeg(3000, 1500), MAX).unwrap();
        assert_eq!((clean.width, clean.height), (2560, 1280));
    }

    #[test]
    fn transparency_stays_png() {
        let img = RgbaImage::from_pixel(8, 8, Rgba([1, 2, 3, 100]));
        let mut png = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut png)).unwrap();
        let clean = clean(&png, MAX).unwrap();
        assert_eq!(clean.content_type, "image/png");
    }

    #[test]
    fn refuses_what_it_cannot_take() {
        assert_eq!(clean(b"", MAX), Err(PhotoError::Empty));
        assert!(matches!(
            clean(b"GIF89a\x01\0\x01\0", MAX),
            Err(PhotoError::UnsupportedType(Sniffed::Unknown))
        ));
        assert!(matches!(
            clean(b"\0\0\0\x18ftypheic\0\0\0\0", MAX),
            Err(PhotoError::UnsupportedType(Sniffed::Heif))
        ));
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert!(matches!(
            clean(&truncated, MAX),
            Err(PhotoError::Undecodable(_))
        ));
        assert_eq!(
            clean(&vec![0xFF; MAX_BYTES + 1], MAX),
            Err(PhotoError::TooLarge)
        );
    }

    #[test]
    fn refuses_dimensions_over_the_bound_before_decoding() {
        // A PNG header claiming 20000×20000 pixels, with no pixel data behind it.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&20_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0]);
        let crc_input = &png[12..];
        png.extend_from_slice(&crc32(crc_input).to_be_bytes());
        assert!(matches!(
            clean(&png, MAX),
            Err(PhotoError::TooManyPixels { .. })
        ));
    }

    /// A small JPEG with its frame header changed: marker (C0 baseline, C2 progressive),
    /// claimed size, and the luma sampling factors (0x11 is 4:4:4, 0x22 with 4:2:0).
    fn patched(marker: u8, width: u16, height: u16, luma_sampling: u8) -> Vec<u8> {
        let mut out = jpeg(16, 16);
        let sof = out.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        out[sof + 1] = marker;
        out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
        out[sof + 11] = luma_sampling;
        out
    }

    #[test]
    fn the_decode_bound_is_read_from_the_header_and_counts_decoder_buffers() {
        // Baseline: only the decoded pixels, 3 bytes each.
        let baseline = inspect(&patched(0xC0, 4000, 3000, 0x11), MAX).unwrap();
        assert_eq!(baseline.decode_bytes, 36_000_000);
        // Progressive 4:4:4 keeps 2 bytes per sample of 3 components, padded to whole blocks.
        let progressive = inspect(&patched(0xC2, 2000, 1500, 0x11), MAX).unwrap();
        assert_eq!(progressive.decode_bytes, 9_000_000 + 2000 * 1504 * 3 * 2);
        // Progressive 4:2:0: full-size luma, quarter-size chroma; a 12-megapixel one fits.
        let subsampled = inspect(&patched(0xC2, 4000, 3000, 0x22), MAX).unwrap();
        assert_eq!(
            subsampled.decode_bytes,
            36_000_000 + 4000 * 3008 * 2 + 2 * (2000 * 1504 * 2)
        );
        // The same 12 megapixels at 4:4:4 are over the bound, as is a 48-megapixel baseline.
        for refused in [
            patched(0xC2, 4000, 3000, 0x11),
            patched(0xC0, 8000, 6000, 0x11),
        ] {
            assert!(matches!(
                inspect(&refused, MAX),
                Err(PhotoError::TooManyPixels { .. })
            ));
        }
        // A lower setting refuses what the default takes, before decoding.
        assert!(matches!(
            clean(&patched(0xC0, 4000, 3000, 0x11), 30 * 1024 * 1024),
            Err(PhotoError::TooManyPixels { .. })
        ));
    }

    #[test]
    fn a_16_bit_image_counts_its_8_bit_copy() {
        assert_eq!(
            decode_cost(&[], ImageFormat::Png, 100, 100, ColorType::Rgba16),
            100 * 100 * (8 + 4)
        );
        assert_eq!(
            decode_cost(&[], ImageFormat::Png, 100, 100, ColorType::Rgb8),
            100 * 100 * 3
        );
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
