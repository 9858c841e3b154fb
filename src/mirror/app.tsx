/**
 * The mirror page: the user's own camera, shown mirrored, with the face box, the face-mesh
 * landmarks (on a toggle) and the head-pose axes drawn over it; beside it the dominant emotion
 * as an emoji with its confidence, the 7 bars, the valence/arousal dot, whether the user is
 * attending, the backend and frames per second, a camera picker when there are several, and
 * Record / Stop, which stores the session as a meeting of site `camera` (mirror-session.ts).
 *
 * Test hooks on `<body>`: `data-camera` (`starting` / `on` / `off` / `error`),
 * `data-camera-error` (a `CameraProblem`, or `lost` when the camera stopped while in use),
 * `data-face` (`true` while a face is drawn), `data-fps` (new pictures analysed per second, 1
 * decimal), `data-inference-ms` (median inference time of a frame, 1 decimal), `data-backend`,
 * `data-recording` (`true` / `false`) and `data-meeting-id` (the last finished recording).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { EMOTION_COLORS } from '../shared/emotion-colors.ts';
import type { Emotion } from '../shared/emotions.ts';
import { errorText } from '../shared/errors.ts';
import type { LiveUpdate } from '../shared/messages.ts';
import { formatDuration } from '../shared/report-model.ts';
import type { ParticipantLive } from '../shared/types.ts';
import { ParticipantRow, percent, showsFigures } from '../popup/participant-row.tsx';
import { CameraError, closeCamera, listCameras, openCamera, type CameraInfo } from './camera.ts';
import { drawOverlay } from './draw.ts';
import { MirrorSession, type MirrorFrame, type MirrorRecording } from './mirror-session.ts';

/** The emoji shown for each dominant emotion. */
export const EMOTION_EMOJI: Readonly<Record<Emotion, string>> = {
  angry: '😠',
  disgust: '🤢',
  fear: '😨',
  happy: '😄',
  sad: '😢',
  surprise: '😮',
  neutral: '😐',
};

type Camera = { kind: 'starting' } | { kind: 'on' } | { kind: 'off' } | { kind: 'error'; problem: string; message: string };

const NO_FACE_COLOR = '#9e9e9e';

/** The page. */
export function MirrorApp() {
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const session = useRef<MirrorSession | null>(null);
  const stream = useRef<MediaStream | null>(null);
  const frame = useRef<MirrorFrame | null>(null);
  const [camera, setCamera] = useState<Camera>({ kind: 'starting' });
  /** 'loading', 'ready', or the message of a failed load. */
  const [models, setModels] = useState<string>('loading');
  const [live, setLive] = useState<LiveUpdate | null>(null);
  const [cameras, setCameras] = useState<CameraInfo[]>([]);
  const [deviceId, setDeviceId] = useState<string>('');
  const [showLandmarks, setShowLandmarks] = useState(false);
  const [showPose, setShowPose] = useState(true);
  const [recording, setRecording] = useState<{ meetingId: string; since: number } | null>(null);
  const [saved, setSaved] = useState<MirrorRecording | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());
  const options = useRef({ landmarks: showLandmarks, pose: showPose, color: NO_FACE_COLOR });

  const me: ParticipantLive | undefined = live?.participants[0];
  options.current = { landmarks: showLandmarks, pose: showPose, color: me?.dominant && showsFigures(me, false) ? EMOTION_COLORS[me.dominant] : NO_FACE_COLOR };

  const draw = () => {
    const c = canvas.current;
    const f = frame.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || !f) return;
    if (c.width !== f.width || c.height !== f.height) {
      c.width = f.width;
      c.height = f.height;
    }
    drawOverlay(ctx, f.faces, options.current);
    document.body.dataset.face = String(f.faces.length > 0);
  };

  /** Opens camera `id` ('' for the default) into the video, and starts the analysis when it is not running. */
  const startCamera = async (id: string) => {
    setCamera({ kind: 'starting' });
    setProblem(null);
    try {
      const next = await openCamera(id || undefined);
      closeCamera(stream.current);
      stream.current = next;
      const v = video.current!;
      v.srcObject = next;
      await v.play();
      const track = next.getVideoTracks()[0];
      track?.addEventListener('ended', () => void cameraLost(next));
      setCamera({ kind: 'on' });
      setCameras(await listCameras());
      setDeviceId(track?.getSettings().deviceId ?? id);
      if (!session.current) {
        session.current = await MirrorSession.create(v, {
          onLive: setLive,
          onFrame: (f) => {
            frame.current = f;
            draw();
          },
          onError: (err) => {
            if (/could not be saved/.test(err.message)) setProblem(err.message);
          },
        });
        setModels('ready');
        session.current.start();
      }
    } catch (err) {
      if (err instanceof CameraError) setCamera({ kind: 'error', problem: err.problem, message: err.message });
      else setModels(`The models could not be loaded: ${errorText(err)}`);
    }
  };

  /** The camera stopped by itself (unplugged, or taken by the system): analysis stops, a recording is ended and kept. */
  const cameraLost = async (lost: MediaStream) => {
    if (stream.current !== lost) return;
    const kept = await stopSession();
    setCamera({ kind: 'error', problem: 'lost', message: `The camera stopped (unplugged, or taken by another app).${kept ? ' The recording so far is kept.' : ''}` });
  };

  /** Stops the analysis and the camera; returns the recording it ended, if any. */
  const stopSession = async (): Promise<MirrorRecording | null> => {
    const s = session.current;
    session.current = null;
    closeCamera(stream.current);
    stream.current = null;
    frame.current = null;
    setLive(null);
    setRecording(null);
    document.body.dataset.face = 'false';
    const c = canvas.current;
    c?.getContext('2d')?.clearRect(0, 0, c.width, c.height);
    let kept: MirrorRecording | null = null;
    try {
      kept = (await s?.stop()) ?? null;
    } catch (err) {
      setProblem(`The recording could not be saved: ${errorText(err)}`);
    }
    if (kept) setSaved(kept);
    return kept;
  };

  useEffect(() => {
    void startCamera('');
    const onDevices = () => void listCameras().then(setCameras);
    navigator.mediaDevices?.addEventListener?.('devicechange', onDevices);
    return () => {
      navigator.mediaDevices?.removeEventListener?.('devicechange', onDevices);
      void stopSession();
    };
  }, []);

  useEffect(() => {
    draw();
  }, [showLandmarks, showPose]);

  useEffect(() => {
    if (!recording) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener('beforeunload', warn);
    return () => {
      clearInterval(timer);
      removeEventListener('beforeunload', warn);
    };
  }, [recording]);

  useEffect(() => {
    const body = document.body.dataset;
    body.camera = camera.kind;
    if (camera.kind === 'error') body.cameraError = camera.problem;
    else delete body.cameraError;
    body.recording = String(recording !== null);
    if (saved) body.meetingId = saved.meetingId;
    if (live) {
      body.fps = (frame.current?.analysedFps ?? 0).toFixed(1);
      body.inferenceMs = live.stats.inferenceMs.toFixed(1);
      body.backend = live.stats.backend ?? '';
    }
  }, [camera, recording, saved, live]);

  const record = async () => {
    if (!session.current) return;
    try {
      const meetingId = await session.current.record();
      setSaved(null);
      setRecording({ meetingId, since: Date.now() });
    } catch (err) {
      setProblem(`Recording could not start: ${errorText(err)}`);
    }
  };

  const stopRecording = async () => {
    try {
      const kept = await session.current?.stopRecording();
      if (kept) setSaved(kept);
    } catch (err) {
      setProblem(`The recording could not be saved: ${errorText(err)}`);
    } finally {
      setRecording(null);
    }
  };

  const cameraOn = camera.kind === 'on';
  const fps = frame.current?.analysedFps ?? 0;
  const cameraFps = stream.current?.getVideoTracks()[0]?.getSettings().frameRate ?? null;
  const figures = me && showsFigures(me, false);
  return (
    <main>
      <header class="head">
        <h1>Mirror</h1>
        <p class="muted">Your own camera, analysed in this tab. Nothing leaves this computer; only a recording you make is kept, as a meeting you can open in the report and delete.</p>
      </header>
      <div class="layout">
        <div class="stage" style={frame.current ? { aspectRatio: `${frame.current.width} / ${frame.current.height}` } : undefined}>
          <video ref={video} muted playsInline data-testid="camera-video" />
          <canvas ref={canvas} data-testid="overlay" />
          {camera.kind !== 'on' && (
            <div class="stage__note" data-testid="camera-state">
              {camera.kind === 'starting' ? 'Starting the camera…' : camera.kind === 'off' ? 'The camera is off.' : 'No camera picture.'}
            </div>
          )}
        </div>
        <aside class="panel">
          {camera.kind === 'error' && (
            <div class="error" role="alert" data-testid="camera-error">
              <p>{camera.message}</p>
              <button type="button" data-testid="retry" onClick={() => void startCamera(deviceId)}>
                Try again
              </button>
            </div>
          )}
          {models !== 'ready' && models !== 'loading' && (
            <p class="error" role="alert" data-testid="models-error">
              {models}
            </p>
          )}
          {problem && (
            <p class="error" role="alert" data-testid="problem">
              {problem}
            </p>
          )}
          <div class="dominant" data-testid="emotion" data-emotion={figures ? me.dominant : undefined}>
            <span class="dominant__emoji" aria-hidden="true">
              {figures && me.dominant ? EMOTION_EMOJI[me.dominant] : '·'}
            </span>
            <span class="dominant__text">{figures && me.dominant && me.confidence !== null ? `${me.dominant} ${percent(me.confidence)}` : cameraOn ? (models === 'loading' ? 'loading the models…' : 'looking for your face…') : '–'}</span>
          </div>
          {me && (
            <ul class="participants">
              <ParticipantRow participant={me} stale={false} />
            </ul>
          )}
          <AffectDot participant={me ?? null} />
          <p class="figures muted" data-testid="stats">
            {live ? `${live.stats.backend ?? '?'} · ${fps.toFixed(1)} frames/s analysed${cameraFps ? ` (camera ${Math.round(cameraFps)})` : ''} · ${Math.round(live.stats.inferenceMs)} ms a frame` : '–'}
          </p>
          <div class="controls">
            <label class="switch">
              <input type="checkbox" data-testid="toggle-landmarks" checked={showLandmarks} onChange={(e) => setShowLandmarks(e.currentTarget.checked)} /> Landmarks
            </label>
            <label class="switch">
              <input type="checkbox" data-testid="toggle-pose" checked={showPose} onChange={(e) => setShowPose(e.currentTarget.checked)} /> Head pose
            </label>
          </div>
          {cameras.length > 1 && (
            <label class="controls">
              Camera{' '}
              <select
                data-testid="camera-picker"
                value={deviceId}
                onChange={(e) => {
                  const id = e.currentTarget.value;
                  setDeviceId(id);
                  void startCamera(id);
                }}
              >
                {cameras.map((c) => (
                  <option key={c.deviceId} value={c.deviceId}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          <div class="controls">
            {recording ? (
              <button type="button" class="stop" data-testid="record-stop" onClick={() => void stopRecording()}>
                Stop recording ({formatDuration(Math.max(0, (now - recording.since) / 1000))})
              </button>
            ) : (
              <button type="button" class="primary" data-testid="record" disabled={!cameraOn || models !== 'ready'} onClick={() => void record()}>
                Record
              </button>
            )}
            {cameraOn ? (
              <button type="button" data-testid="camera-off" onClick={() => void stopSession().then(() => setCamera({ kind: 'off' }))}>
                Turn the camera off
              </button>
            ) : (
              camera.kind === 'off' && (
                <button type="button" data-testid="camera-on" onClick={() => void startCamera(deviceId)}>
                  Turn the camera on
                </button>
              )
            )}
          </div>
          {saved && (
            <p data-testid="saved">
              Recording kept: {formatDuration(saved.seconds)}.{' '}
              <a href={`report.html?meeting=${encodeURIComponent(saved.meetingId)}`} data-testid="open-report">
                Open the report
              </a>{' '}
              · <a href="meetings.html">All meetings</a>
            </p>
          )}
        </aside>
      </div>
    </main>
  );
}

/**
 * The valence/arousal dot (`data-testid="affect-dot"`, with `data-valence` and `data-arousal`):
 * a square with valence across (unpleasant to pleasant) and arousal up (calm to aroused), the
 * dot at the participant's values (shared/affect.ts); empty without figures.
 */
function AffectDot({ participant: p }: { participant: ParticipantLive | null }) {
  const va = p && showsFigures(p, false) && p.valence !== null && p.arousal !== null ? { valence: p.valence, arousal: p.arousal } : null;
  const size = 120;
  const half = size / 2;
  return (
    <figure class="affect-dot" data-testid="affect-dot" data-valence={va?.valence.toFixed(3)} data-arousal={va?.arousal.toFixed(3)}>
      <svg viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label={va ? `valence ${va.valence.toFixed(2)}, arousal ${va.arousal.toFixed(2)}` : 'no valence or arousal now'}>
        <rect x="0.5" y="0.5" width={size - 1} height={size - 1} fill="none" stroke="var(--line)" />
        <line x1={half} y1="0" x2={half} y2={size} stroke="var(--line)" />
        <line x1="0" y1={half} x2={size} y2={half} stroke="var(--line)" />
        {va && <circle cx={half + va.valence * (half - 6)} cy={half - va.arousal * (half - 6)} r="6" fill="var(--accent)" />}
      </svg>
      <figcaption class="muted">
        ← unpleasant · pleasant →<br />↑ aroused · calm ↓
      </figcaption>
      <p class="attending" data-testid="attending" data-attending={p?.attending === null || !p ? undefined : String(p.attending)}>
        {p?.attending === true ? '✓ attending' : p?.attending === false ? 'not attending (turned away or eyes closed)' : ''}
      </p>
    </figure>
  );
}
