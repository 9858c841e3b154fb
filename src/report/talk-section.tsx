/**
 * The report's "Talk time and reactions" section: per participant, talk time and its share of
 * everyone's, the number of their turns, the listeners' mean valence during those turns and
 * its change over a turn, with how these are computed.
 */
import type { MeetingReport } from '../shared/report-model.ts';
import { FigureTd } from './participant-section.tsx';
import { TALK_EXPLANATION, TALK_NAME_LABEL, TALK_UNKNOWN, talkCells } from './report-text.ts';

/**
 * The section (`data-testid="talk"`): the table `data-testid="talk-table"` with one
 * `tr[data-participant-id]` per participant and cells `td[data-field]` (`seconds`, `share`,
 * `turns`, `listenerValenceMean`, `listenerValenceChange`) whose `data-value` holds the
 * summary's exact number (absent when unknown: the cell reads `—`); or, when nobody's speaking
 * could be told, the note `data-testid="talk-unknown"`.
 */
export function TalkSection({ report }: { report: MeetingReport }) {
  const header = report.talk.length ? talkCells(report.talk[0]!) : [];
  return (
    <section class="talk" data-testid="talk" aria-labelledby="talk-title">
      <h2 id="talk-title">Talk time and reactions</h2>
      {report.speakingKnown ? (
        <>
          <table class="shares talk-table" data-testid="talk-table">
            <thead>
              <tr>
                <th scope="col" class="name">
                  {TALK_NAME_LABEL}
                </th>
                {header.map((c) => (
                  <th key={c.key} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {report.talk.map((row) => (
                <tr key={row.participantId} data-participant-id={row.participantId}>
                  <th scope="row" class="name">
                    {row.name || row.participantId}
                  </th>
                  {talkCells(row).map((c) => (
                    <FigureTd key={c.key} cell={c} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <p class="note" data-testid="talk-explanation">
            {TALK_EXPLANATION}
          </p>
        </>
      ) : (
        <p class="note" data-testid="talk-unknown">
          {TALK_UNKNOWN}
        </p>
      )}
    </section>
  );
}
