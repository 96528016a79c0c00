/** How many studies a panel holds, on its toggle ("Worklist 3"); read out as ", 3 studies". Nothing for none. */
export function PanelCount({ count, testId }: { count: number; testId: string }) {
  return count ? (
    <span className="panel-count" data-testid={testId}>
      <span className="visually-hidden">, </span>
      {count}
      <span className="visually-hidden">{count === 1 ? ' study' : ' studies'}</span>
    </span>
  ) : null;
}
