//! Photos from reporters: recognised by their bytes, decoded within bounds, and re-encoded so
//! that nothing from the phone survives but the pixels. A photo's EXIF block can carry the
//! reporter's GPS position, device and time; the stored image never does.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

/// Largest upload accepted, in bytes.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Most photos one case may hold.
pub const MAX_PER_INCIDENT: i64 = 5;
/// Largest side and pixel count decoded; anything larger is refused before it is decoded, so a
/// small file that claims huge dimensions cannot exhaust memory.
pub const MAX_SIDE: u32 = 12_000;
pub const MAX_PIXELS: u64 = 50_000_000;
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
    /// Decodes, but its dimensions are over the bounds.
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

/// Decodes, applies the EXIF orientation, bounds the size and re-encodes. CPU-bound: run it
/// off the async executor.
pub fn clean(bytes: &[u8]) -> Result<CleanPhoto, PhotoError> {
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
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let undecodable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => PhotoError::TooManyPixels {
            width: 0,
            height: 0,
        },
        other => PhotoError::Undecodable(other.to_string()),
    };
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels { width, height });
    }
    // A missing or unreadable orientation tag means "as stored", not a refusal.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    image.apply_orientation(orientation);
    if image.width() > STORED_MAX_SIDE || image.height() > STORED_MAX_SIDE {
        image = image.resize(STORED_MAX_SIDE, STORED_MAX_SIDE, FilterType::Triangle);
    }
    encode(&image)
}

/// Photos become JPEG; only images with transparency stay PNG (screenshots, drawings). The
/// encoders write pixels only, so no EXIF, XMP, ICC or text chunk from the upload survives.
fn encode(image: &DynamicImage) -> Result<CleanPhoto, PhotoError> {
    let mut out = Vec::new();
    let content_type = if image.color().has_alpha() {
        image
            .to_rgba8()
            .write_with_encoder(PngEncoder::new(&mut out))
            .map_err(|e| PhotoError::Undecodable(e.to_string()))?;
        "image/png"
    } else {
        image
            .to_rgb8()
            .write_with_encoder(JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY))
            .map_err(|e| PhotoError::Undecodable(e.to_string()))?;
        "image/jpeg"
    };
    Ok(CleanPhoto {
        bytes: out,
        content_type,
        width: image.width(),
        height: image.height(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
        let clean = clean(&upload).unwrap();
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
        let clean = clean(&jpeg(3000, 1500)).unwrap();
        assert_eq!((clean.width, clean.height), (2560, 1280));
    }

    #[test]
    fn transparency_stays_png() {
        let img = RgbaImage::from_pixel(8, 8, Rgba([1, 2, 3, 100]));
        let mut png = Vec::new();
        img.write_with_encoder(PngEncoder::new(&mut png)).unwrap();
        let clean = clean(&png).unwrap();
        assert_eq!(clean.content_type, "image/png");
    }

    #[test]
    fn refuses_what_it_cannot_take() {
        assert_eq!(clean(b""), Err(PhotoError::Empty));
        assert!(matches!(
            clean(b"GIF89a\x01\0\x01\0"),
            Err(PhotoError::UnsupportedType(Sniffed::Unknown))
        ));
        assert!(matches!(
            clean(b"\0\0\0\x18ftypheic\0\0\0\0"),
            Err(PhotoError::UnsupportedType(Sniffed::Heif))
        ));
        let mut truncated = jpeg(64, 64);
        truncated.truncate(40);
        assert!(matches!(clean(&truncated), Err(PhotoError::Undecodable(_))));
        assert_eq!(clean(&vec![0xFF; MAX_BYTES + 1]), Err(PhotoError::TooLarge));
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
        assert!(matches!(clean(&png), Err(PhotoError::TooManyPixels { .. })));
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
