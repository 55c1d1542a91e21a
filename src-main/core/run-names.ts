import { randomInt } from 'node:crypto';

// Our own short word lists; names follow MLflow's "predicate-noun-NNN" shape, at most 20 chars.
const PREDICATES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'eager', 'fair', 'fast', 'gentle',
  'glad', 'grand', 'honest', 'keen', 'kind', 'lively', 'lucky', 'merry', 'mighty', 'neat', 'noble',
  'polite', 'proud', 'quick', 'quiet', 'rare', 'sharp', 'shy', 'silent', 'sleek', 'smooth', 'steady',
  'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty',
];
const NOUNS = [
  'ant', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'cat', 'crab', 'crow', 'deer', 'dog', 'dove',
  'duck', 'eel', 'elk', 'fish', 'fox', 'frog', 'goat', 'hawk', 'hen', 'jay', 'lark', 'lynx', 'mole',
  'moth', 'mule', 'newt', 'owl', 'ox', 'ram', 'seal', 'slug', 'snail', 'stag', 'swan', 'toad', 'wasp',
  'wolf', 'wren', 'yak',
];

export function generateRunName(): string {
  for (;;) {
    const name = `${PREDICATES[randomInt(PREDICATES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${randomInt(1000)}`;
    if (name.length <= 20) return name;
  }
}
