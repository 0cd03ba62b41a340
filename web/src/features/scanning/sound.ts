/**
 * A short sound per scan through the WebAudio API (no audio files): a bright double beep when it
 * counted, a low buzz when the person must look, a soft tone when it waits in the offline queue.
 * The person can turn it off; the choice stays on this device.
 */
import type { Tone } from "./outcome.js";

interface Note {
  hz: number;
  ms: number;
  wave: OscillatorType;
}

const PATTERNS: Record<Tone, Note[]> = {
  ok: [
    { hz: 1046, ms: 70, wave: "sine" },
    { hz: 1568, ms: 90, wave: "sine" },
  ],
  warn: [
    { hz: 440, ms: 120, wave: "square" },
    { hz: 440, ms: 120, wave: "square" },
  ],
  problem: [
    { hz: 196, ms: 180, wave: "sawtooth" },
    { hz: 147, ms: 260, wave: "sawtooth" },
  ],
  queued: [{ hz: 660, ms: 140, wave: "triangle" }],
};

const KEY = "ek.scanSound";
let context: AudioContext | undefined;

export function soundOn(): boolean {
  try {
    return globalThis.localStorage?.getItem(KEY) !== "off";
  } catch {
    return true;
  }
}

export function setSoundOn(on: boolean) {
  try {
    globalThis.localStorage?.setItem(KEY, on ? "on" : "off");
  } catch {
    // Without storage the choice lasts for this page.
  }
}

/**
 * Creates (or wakes) the audio context. Browsers allow that only during a tap or key press, so
 * it is called then — the camera's results come later, outside any gesture.
 */
export function primeAudio(): AudioContext | undefined {
  if (!soundOn() || typeof AudioContext === "undefined") return undefined;
  try {
    context ??= new AudioContext();
    if (context.state === "suspended") void context.resume();
    return context;
  } catch {
    return undefined;
  }
}

export function playTone(tone: Tone) {
  const context = primeAudio();
  if (!context) return;
  try {
    let at = context.currentTime + 0.01;
    for (const note of PATTERNS[tone]) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = note.wave;
      oscillator.frequency.value = note.hz;
      const end = at + note.ms / 1000;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(at);
      oscillator.stop(end);
      at = end + 0.04;
    }
  } catch {
    // No audio output: the result line still says it.
  }
}
