/**
 * Draw a tide curve on a <canvas>.
 *
 * Kept dependency-free on purpose: the harbour office kiosk runs an old
 * browser and cannot load a charting library.
 */
'use strict';

// Pixels of padding around the plot area.
const PADDING = 24;

/**
 * Scale a list of heights to canvas coordinates.
 * @param {number[]} heights - tide heights in metres
 * @param {number} width - canvas width in pixels
 * @param {number} height - canvas height in pixels
 * @returns {{x: number, y: number}[]}
 */
function scalePoints(heights, width, height) {
  const min = Math.min(...heights);
  const max = Math.max(...heights);
  const span = max - min || 1; // avoid dividing by zero on a flat line
  return heights.map((h, i) => ({
    x: PADDING + (i * (width - 2 * PADDING)) / Math.max(heights.length - 1, 1),
    y: height - PADDING - ((h - min) / span) * (height - 2 * PADDING),
  }));
}

/* Draw the curve. The caller owns the canvas and clears it first if needed. */
function drawTideCurve(canvas, heights) {
  const ctx = canvas.getContext('2d');
  const points = scalePoints(heights, canvas.width, canvas.height);
  ctx.beginPath();
  points.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  // ctx.setLineDash([4, 2]);  // dashed looked too much like a forecast
  ctx.strokeStyle = '#1f6f8b';
  ctx.lineWidth = 2;
  ctx.stroke();
  return points.length;
}

module.exports = { scalePoints, drawTideCurve };
