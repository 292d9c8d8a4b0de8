import type { AvatarAppearance, EkmanEmotion } from '@vibhava/sdk';
import { css, html, svg, type TemplateResult } from 'lit';

/** How each expression is described to screen readers. */
const MOOD: Record<EkmanEmotion, string> = {
  neutral: 'calm',
  joy: 'happy',
  sadness: 'sad',
  anger: 'cross',
  fear: 'worried',
  surprise: 'surprised',
  disgust: 'put off',
};

/** One mouth per expression; the visible one cross-fades when the expression changes. */
const MOUTHS: Record<EkmanEmotion, string> = {
  neutral: 'M12 21.5h8',
  joy: 'M10.5 19.5c1.4 2.2 3.3 3.3 5.5 3.3s4.1-1.1 5.5-3.3',
  sadness: 'M11 23c1.3-1.7 3-2.5 5-2.5s3.7.8 5 2.5',
  anger: 'M11 22.5c1.5-.9 3.2-1.3 5-1.3s3.5.4 5 1.3',
  fear: 'M12.5 22.5c.6-1.6 1.8-2.4 3.5-2.4s2.9.8 3.5 2.4c-1.2.5-2.3.7-3.5.7s-2.3-.2-3.5-.7z',
  surprise: 'M16 19c1.6 0 2.6 1.3 2.6 2.6S17.6 24.2 16 24.2s-2.6-1.3-2.6-2.6S14.4 19 16 19z',
  disgust: 'M11 22c1.2-.6 2.2-.4 3 .1.9.6 1.9.7 3 .1 1.1-.6 2.2-.7 4-.2',
};

/**
 * The avatar's face in the expression of the moment: the author's image for that expression
 * (falling back to their `neutral` image), or a built-in SVG face whose brows, eyes and mouth
 * move between expressions. While the avatar is speaking, the mouth moves. CSS does the motion,
 * so `prefers-reduced-motion` turns it all off.
 */
export function renderFace(options: {
  emotion: EkmanEmotion;
  speaking: boolean;
  name: string;
  appearance?: AvatarAppearance | undefined;
}): TemplateResult {
  const { emotion, speaking, name } = options;
  const label = `${name} looks ${MOOD[emotion]}${speaking ? ' and is speaking' : ''}`;
  const image = options.appearance?.images?.[emotion] ?? options.appearance?.images?.neutral;
  const content = image ? html`<img class="face-image" src=${image} alt="" draggable="false" />` : builtInFace;
  return html`<span
    class="face"
    part="face"
    role="img"
    aria-label=${label}
    data-emotion=${emotion}
    ?data-speaking=${speaking}
    >${content}</span
  >`;
}

/** The built-in face: every expression's mouth is drawn, CSS shows the current one. */
const builtInFace = svg`<svg viewBox="0 0 32 32" aria-hidden="true" focusable="false">
  <circle cx="16" cy="16" r="13" fill="currentColor" opacity="0.18" />
  <circle cx="16" cy="16" r="13" fill="none" stroke="currentColor" stroke-width="2" />
  <g class="brows" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round">
    <path class="brow brow-left" d="M9.5 10.2h4" />
    <path class="brow brow-right" d="M18.5 10.2h4" />
  </g>
  <g class="eyes" fill="currentColor">
    <circle class="eye" cx="11.5" cy="13.5" r="1.8" />
    <circle class="eye" cx="20.5" cy="13.5" r="1.8" />
  </g>
  <g class="mouths" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
    ${(Object.keys(MOUTHS) as EkmanEmotion[]).map((key) => svg`<path class="mouth" data-for=${key} d=${MOUTHS[key]} />`)}
  </g>
</svg>`;

export const faceStyles = css`
  .face {
    display: grid;
    place-items: center;
    width: 100%;
    height: 100%;
  }

  .face svg,
  .face-image {
    width: 100%;
    height: 100%;
    border-radius: 50%;
    object-fit: cover;
  }

  .face-image {
    animation: vibhava-face-in 240ms ease-out;
  }

  .face .brow,
  .face .eye,
  .face .mouth,
  .face .mouths {
    transform-box: fill-box;
    transform-origin: center;
    transition:
      transform 320ms ease,
      opacity 320ms ease;
  }

  .face .mouth {
    opacity: 0;
  }

  .face[data-emotion='neutral'] .mouth[data-for='neutral'],
  .face[data-emotion='joy'] .mouth[data-for='joy'],
  .face[data-emotion='sadness'] .mouth[data-for='sadness'],
  .face[data-emotion='anger'] .mouth[data-for='anger'],
  .face[data-emotion='fear'] .mouth[data-for='fear'],
  .face[data-emotion='surprise'] .mouth[data-for='surprise'],
  .face[data-emotion='disgust'] .mouth[data-for='disgust'] {
    opacity: 1;
  }

  .face[data-emotion='joy'] .brow {
    transform: translateY(-0.8px);
  }
  .face[data-emotion='joy'] .eye {
    transform: scaleY(0.75);
  }
  .face[data-emotion='sadness'] .brow-left {
    transform: rotate(-14deg);
  }
  .face[data-emotion='sadness'] .brow-right {
    transform: rotate(14deg);
  }
  .face[data-emotion='anger'] .brow-left {
    transform: translateY(1px) rotate(18deg);
  }
  .face[data-emotion='anger'] .brow-right {
    transform: translateY(1px) rotate(-18deg);
  }
  .face[data-emotion='fear'] .brow {
    transform: translateY(-1.4px);
  }
  .face[data-emotion='fear'] .eye,
  .face[data-emotion='surprise'] .eye {
    transform: scale(1.25);
  }
  .face[data-emotion='surprise'] .brow {
    transform: translateY(-2px);
  }
  .face[data-emotion='disgust'] .brow-left {
    transform: translateY(0.8px) rotate(10deg);
  }
  .face[data-emotion='disgust'] .eye {
    transform: scaleY(0.6);
  }

  /* Speaking: the mouth opens and closes while the reply streams. */
  .face[data-speaking] .mouths {
    animation: vibhava-speak 260ms ease-in-out infinite alternate;
  }

  @keyframes vibhava-speak {
    to {
      transform: scaleY(1.6);
    }
  }

  @keyframes vibhava-face-in {
    from {
      opacity: 0.3;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .face *,
    .face-image {
      animation: none !important;
      transition: none !important;
    }
  }
`;
