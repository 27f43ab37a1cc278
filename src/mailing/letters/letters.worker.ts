import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { MailingError, type MailingErrorCode } from '../mailing.errors';
import type { LetterKind } from './letter-data';
import { type LetterPdfSettings, LetterPdfWriter, type ManifestRow } from './letter-pdf-writer';

/**
 * The worker thread of renderLetters (letters-pdf.ts): it opens the temporary file, draws
 * the letters it is sent chunk by chunk, answers each chunk with its manifest rows once the
 * chunk is on its way to the file (the sender's signal to send more), and says when the
 * PDF is closed. Its failure is a message (code and text, never a letter's data); it then
 * closes the file and exits. It runs only compiled (dist/.../letters.worker.js).
 */

export interface WorkerInput {
  kind: LetterKind;
  file: string;
  settings: LetterPdfSettings;
}

export type ToWorker = { type: 'letters'; letters: unknown[] } | { type: 'end' } | { type: 'abort' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'rows'; rows: ManifestRow[] }
  | { type: 'done'; pages: number }
  | { type: 'failed'; code: MailingErrorCode; message: string; status: number };

function failure(err: unknown): FromWorker {
  if (err instanceof MailingError) return { type: 'failed', code: err.code, message: err.message, status: err.status };
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'failed', code: 'letter_render_failed', message: `the letters could not be rendered: ${message}`, status: 500 };
}

async function run(port: NonNullable<typeof parentPort>, input: WorkerInput): Promise<void> {
  const post = (m: FromWorker) => port.postMessage(m);
  let writer: LetterPdfWriter | undefined;
  let stopped = false;
  let queue = Promise.resolve();
  const stop = async (err?: unknown) => {
    if (stopped) return;
    stopped = true;
    if (err !== undefined) post(failure(err));
    await writer?.abort();
    port.close();
  };
  const handle = async (m: ToWorker) => {
    if (stopped || !writer) return;
    if (m.type === 'abort') return stop();
    if (m.type === 'end') {
      const { pages } = await writer.end();
      post({ type: 'done', pages });
      stopped = true;
      port.close();
      return;
    }
    const rows = m.letters.map((letter) => writer!.add(letter));
    await writer.settle();
    post({ type: 'rows', rows });
  };
  queue = LetterPdfWriter.open(input.kind, input.file, input.settings).then(
    (w) => {
      writer = w;
      post({ type: 'ready' });
    },
    (err) => stop(err),
  );
  port.on('message', (m: ToWorker) => {
    queue = queue.then(() => handle(m)).catch((err) => stop(err));
  });
}

if (!isMainThread && parentPort) void run(parentPort, workerData as WorkerInput);
