import type { ComponentChildren } from 'preact';

/** Props of OptionSwitch. */
export interface OptionSwitchProps {
  /** `data-testid` of the checkbox. */
  testId: string;
  checked: boolean;
  disabled: boolean;
  onChange: (event: Event) => void;
  /** The label the user reads. */
  children: ComponentChildren;
}

/** One of the popup's on/off switches (overlays, pause, only me): a labelled checkbox. */
export function OptionSwitch({ testId, checked, disabled, onChange, children }: OptionSwitchProps) {
  return (
    <label class="switch">
      <input type="checkbox" data-testid={testId} checked={checked} disabled={disabled} onChange={onChange} />
      {children}
    </label>
  );
}
