/**
 * One colour per emotion class, the same in the popup, the report's charts and the HTML export
 * (the popup's CSS custom properties `--angry` … `--neutral` hold the same values).
 */
import type { Emotion } from './emotions.ts';

/** CSS colour (hex) of each emotion. */
export const EMOTION_COLORS: Readonly<Record<Emotion, string>> = {
  angry: '#d64541',
  disgust: '#6b8e23',
  fear: '#8e44ad',
  happy: '#e0a800',
  sad: '#2f6fb5',
  surprise: '#e67e22',
  neutral: '#7f8c8d',
};
