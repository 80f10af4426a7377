// A captioned grid of images (for example one cell per seed), drawn with the built-in bitmap font.

/// Lays images out in a grid with a caption under each.
public enum ContactSheet {
  /// Renders `images` left to right, top to bottom, each centred in a cell as large as the largest
  /// image, with its caption (printable ASCII; others draw as `?`, long ones are cut) underneath.
  ///
  /// - Parameters:
  ///   - captions: one per image; missing captions are blank.
  ///   - columns: cells per row; nil picks the smallest count that makes the grid about square.
  ///   - cellPadding: blank pixels around every cell.
  /// - Returns: an RGB image on a white background with dark text. Grey images are shown grey,
  ///   alpha is composited over white. An empty list gives a small blank sheet.
  public static func render(_ images: [RasterImage], captions: [String], columns: Int?,
                            cellPadding: Int = 8) -> RasterImage {
    let padding = max(0, cellPadding)
    let count = images.count
    let columnCount = max(1, min(columns ?? Int(Double(count).squareRoot().rounded(.up)), max(count, 1)))
    let rowCount = max(1, (count + columnCount - 1) / columnCount)
    let cellWidth = max(images.map(\.width).max() ?? 0, 1)
    let cellHeight = images.map(\.height).max() ?? 0
    // Text scales with the cells so captions stay legible next to large images.
    let scale = max(1, min(4, cellWidth / 160))
    let captionHeight = BitmapFont.glyphHeight * scale + 2 * max(2, padding / 2)
    let strideX = cellWidth + padding
    let strideY = cellHeight + captionHeight + padding
    let width = columnCount * strideX + padding
    let height = rowCount * strideY + padding
    var sheet = [UInt8](repeating: 255, count: width * height * 3)

    for (index, image) in images.enumerated() where image.isConsistent {
      let cellX = padding + (index % columnCount) * strideX
      let cellY = padding + (index / columnCount) * strideY
      let rgb = image.rgb()
      let originX = cellX + (cellWidth - rgb.width) / 2
      let originY = cellY + (cellHeight - rgb.height) / 2
      for y in 0..<rgb.height {
        let source = y * rgb.width * 3
        let target = ((originY + y) * width + originX) * 3
        sheet.replaceSubrange(target..<target + rgb.width * 3, with: rgb.pixels[source..<source + rgb.width * 3])
      }
      let caption = index < captions.count ? captions[index] : ""
      drawText(caption, into: &sheet, sheetWidth: width, cellX: cellX, cellWidth: cellWidth,
               top: cellY + cellHeight + max(2, padding / 2), scale: scale)
    }
    return RasterImage(width: width, height: height, channels: 3, pixels: sheet)
  }

  /// The colour of caption ink (dark grey).
  static let ink: UInt8 = 32

  /// Draws `text` centred under a cell, cut to the characters that fit.
  private static func drawText(_ text: String, into sheet: inout [UInt8], sheetWidth: Int, cellX: Int, cellWidth: Int,
                               top: Int, scale: Int) {
    let fitting = max(0, (cellWidth + scale) / (BitmapFont.advance * scale))
    let scalars = Array(text.unicodeScalars.prefix(fitting))
    guard !scalars.isEmpty else { return }
    let textWidth = scalars.count * BitmapFont.advance * scale - scale
    var x = cellX + max(0, (cellWidth - textWidth) / 2)
    for scalar in scalars {
      let columns = BitmapFont.columns(of: scalar)
      for gx in 0..<BitmapFont.glyphWidth {
        for gy in 0..<BitmapFont.glyphHeight where BitmapFont.isInk(columns, x: gx, y: gy) {
          for dy in 0..<scale {
            for dx in 0..<scale {
              let offset = ((top + gy * scale + dy) * sheetWidth + x + gx * scale + dx) * 3
              sheet[offset] = ink
              sheet[offset + 1] = ink
              sheet[offset + 2] = ink
            }
          }
        }
      }
      x += BitmapFont.advance * scale
    }
  }
}
