/**
 * Colour theme: follows the OS (prefers-color-scheme) unless the user picks light or dark; the
 * choice is remembered in localStorage. The theme in effect (the choice, or the OS preference while
 * following the system, tracked as it changes) is set as `data-theme` on <html>; app.css holds the
 * two palettes once, so components only ever use the CSS variables.
 */
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'quantscope.theme';
const NEXT: Record<ThemeChoice, ThemeChoice> = { system: 'dark', dark: 'light', light: 'system' };

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export class Theme {
  choice = $state<ThemeChoice>(stored());

  /** system → dark → light → system. */
  cycle(): void {
    this.choice = NEXT[this.choice];
    try {
      if (this.choice === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, this.choice);
    } catch {
      // storage unavailable (private window): the choice lasts for this page only
    }
    this.apply();
  }

  private os: MediaQueryList | null = null;

  apply(): void {
    if (!this.os && typeof matchMedia === 'function') {
      this.os = matchMedia('(prefers-color-scheme: dark)');
      this.os.addEventListener('change', () => this.apply());
    }
    const dark = this.choice === 'system' ? !!this.os?.matches : this.choice === 'dark';
    document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  }
}
