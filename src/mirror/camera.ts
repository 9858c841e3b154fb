/**
 * The user's camera for the mirror page: opening it with `getUserMedia`, listing the cameras,
 * and the user's words for each way it can fail. Nothing here leaves the page.
 */

/** A camera the page can open. */
export interface CameraInfo {
  /** `MediaDeviceInfo.deviceId` (empty before permission is granted in some browsers). */
  deviceId: string;
  /** The camera's name, or `Camera <n>` when the browser hides it. */
  label: string;
}

/** Why the camera cannot be used, for the page's message and tests (`data-camera-error`). */
export type CameraProblem = 'denied' | 'none' | 'busy' | 'unsupported' | 'other';

/** A camera that could not be opened, with the user's message. */
export class CameraError extends Error {
  constructor(
    readonly problem: CameraProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The `CameraError` for what `getUserMedia` threw (a DOMException by name: `NotAllowedError`
 * and `SecurityError` → denied, `NotFoundError` and `OverconstrainedError` → none,
 * `NotReadableError` and `AbortError` → busy (another app holds it, or the system refused);
 * anything else → other, with its message). Pure.
 */
export function cameraError(err: unknown): CameraError {
  const name = (err as { name?: unknown } | null)?.name;
  const detail = err instanceof Error ? err.message : String(err);
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new CameraError('denied', 'Camera access was denied. Allow the camera for CallMood (the camera icon in the address bar, or the browser’s site settings), then try again.');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new CameraError('none', 'No camera was found. Connect a camera, then try again.');
    case 'NotReadableError':
    case 'AbortError':
      return new CameraError('busy', 'The camera could not be started: another app may be using it. Close that app, then try again.');
    default:
      return new CameraError('other', `The camera could not be started: ${detail || (typeof name === 'string' ? name : 'unknown error')}.`);
  }
}

/**
 * Opens a camera: `deviceId` when given (exactly that one), else the browser's default; 1280x720
 * asked for, whatever the camera gives accepted. Video only.
 * @throws CameraError (see `cameraError`); `unsupported` when the page has no `getUserMedia`.
 */
export async function openCamera(deviceId?: string): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported', 'This browser gives this page no camera access (navigator.mediaDevices is missing).');
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { ...(deviceId ? { deviceId: { exact: deviceId } } : {}), width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (err) {
    throw cameraError(err);
  }
}

/** The cameras the browser lists (labels only once permission is granted); [] when it cannot list them. */
export async function listCameras(): Promise<CameraInfo[]> {
  try {
    const devices = await navigator.mediaDevices.enumerateDevices();
    return devices.filter((d) => d.kind === 'videoinput').map((d, k) => ({ deviceId: d.deviceId, label: d.label || `Camera ${k + 1}` }));
  } catch {
    return [];
  }
}

/** Stops every track of `stream` (the camera light goes off). */
export function closeCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}
