import { describe, expect, it } from 'vitest';
import { findStatedFacts } from '../src/memory/heuristic-extractor.js';

const AT = '2025-03-04T10:00:00.000Z'; // a Tuesday

/** What the visitor would see in the memory panel for one message. */
const said = (message: string) => findStatedFacts(message, { at: AT }).map((f) => f.text);
const slots = (message: string) =>
  findStatedFacts(message, { at: AT }).map((f) => ({
    kind: f.kind,
    value: f.value,
    ...(f.values ? { values: f.values } : {}),
    ...(f.date ? { date: f.date } : {}),
  }));

describe('the heuristic extractor, in the words a visitor recognises', () => {
  it.each<[string, string[]]>([
    // The demo's new user.
    [
      "Hi! I'm Priya. I'm allergic to walnuts, so please keep them out.",
      ['Your name is Priya.', "You're allergic to walnuts."],
    ],
    ['I always take oat milk in my coffee', ['You take oat milk in your coffee.']],
    // Names, however they are given.
    ['You can call me P.', ['Your name is P.']],
    ['Priya here 👋 quick question about your cakes', ['Your name is Priya.']],
    ["hey, my name's Tom", ['Your name is Tom.']],
    ['im jake btw', ['Your name is Jake.']],
    ['This is Daniel from upstairs', ['Your name is Daniel.']],
    ['hi there, Mark speaking', ['Your name is Mark.']],
    ['Hello, I am Dr. Aisha Khan.', ['Your name is Dr Aisha Khan.']],
    ['Everyone calls me Bex.', ['Your name is Bex.']],
    ["Please don't call me Robert, I prefer Rob.", ['Your name is Rob.']],
    ['People call me Jojo but my real name is Josephine', ['Your name is Josephine.']],
    ["I'm Rohan, a chef from Goa", ['Your name is Rohan.', "You're a chef.", "You're from Goa."]],
    // Allergies and intolerances.
    ['I have a severe nut allergy', ["You're allergic to nuts."]],
    ["just so you know I'm lactose intolerant", ["You're lactose intolerant."]],
    ['I have an egg intolerance, nothing serious', ['You have an egg intolerance.']],
    ['Dairy makes me really sick so I avoid it.', ["You're allergic to dairy."]],
    ['Allergic to strawberries 🍓', ["You're allergic to strawberries."]],
    ['im alergic to hazelnuts!!', ["You're allergic to hazelnuts."]],
    ['I AM ALLERGIC TO SOY', ["You're allergic to soy."]],
    // Diet and health.
    ["I don't eat pork.", ["You don't eat pork."]],
    ["I'm on a gluten-free diet", ["You're gluten-free."]],
    ['I have type 1 diabetes', ['You have type 1 diabetes.']],
    // Likes and dislikes.
    ['Chocolate is my absolute favourite.', ['You love chocolate.']],
    ['My favourite team is Arsenal, obviously', ['Your favourite team is Arsenal.']],
    ["I'm more of a dog person", ['You like dogs.']],
    ['not a fan of spicy food tbh', ["You're not a fan of spicy food."]],
    ['I love hiking and wild swimming.', ['You love hiking.', 'You love wild swimming.']],
    // Family, friends and pets.
    [
      'My daughter Mia turns six on Saturday.',
      ['Your daughter is called Mia.', 'Your daughter Mia turns six on 8 March 2025.'],
    ],
    ['I have two kids, Leo and Ada.', ['You have two kids called Leo and Ada.']],
    ["Hmm, I'll have to ask my wife", ['You have a wife.']],
    ['My mum loves your scones.', ['You mentioned your mum.']],
    ['As a mum of three, I need quick recipes', ['You have three kids.']],
    ['My cat, Luna, keeps stealing bread off the counter', ['Your cat is called Luna.']],
    ['Can I bring my dog inside?', ['You have a dog.']],
    // Work, home, plans, events, and how they have things.
    ["I'm a software engineer at Spotify.", ["You're a software engineer at Spotify."]],
    ['I teach maths at a secondary school.', ['You teach maths.']],
    ['We live in a small village near York', ['You live near York.']],
    ["I'm flying to Lisbon on 3 May.", ["You're flying to Lisbon on 3 May 2025."]],
    ['Next Tuesday I start my new job.', ['You will start your new job on 11 March 2025.']],
    ['We finally bought our first house last month', ['In February 2025, you bought your first house.']],
    ['I take my coffee black, no sugar.', ['You take your coffee black.', "You don't take sugar in your coffee."]],
    ['I usually order the large flat white', ['You usually order the large flat white.']],
    ['Please always email me rather than calling.', ["You'd like us to email you rather than calling."]],
    // Fears, and statements just before a question in the same sentence.
    [
      "Hi, I'm Emma. I'm quite anxious about dentists, to be honest.",
      ['Your name is Emma.', "You're anxious about dentists."],
    ],
    ["I'm terrified of needles", ["You're terrified of needles."]],
    ["Hiya, I'm 20 weeks pregnant – are your hatha classes ok for me?", ["You're 20 weeks pregnant."]],
    ['I work nights as a paramedic so is the gym open 24h?', ['You work as a paramedic.']],
    ["I'm a graphic designer – any long stays in Portugal with good wifi?", ["You're a graphic designer."]],
    ["ugh I can't stand polyester, it makes me sweat.", ["You can't stand polyester."]],
  ])('%j', (message, expected) => {
    expect(said(message)).toEqual(expected);
  });

  it.each([
    // Not names.
    "I'm hungry, what do you recommend?",
    "I'm looking for a birthday cake.",
    "I'm Tired of waiting",
    'I am Sorry for the late reply',
    "I'm here for you if you need anything.",
    "Call me when it's ready",
    "It's raining again, typical",
    // Not the visitor's allergies or diet.
    "I'm not allergic to anything",
    'Am I allergic to walnuts? I cannot remember what I told you.',
    'If I were allergic to nuts, would the brownies be safe?',
    "Suppose I'm allergic to eggs, what could I eat?",
    "I wonder if I'm lactose intolerant",
    "I think I'm allergic to something in the cake I had",
    "I'm not vegan, just curious about the vegan options",
    "My friend says she's allergic to gluten",
    "She said 'I'm vegan' but she eats cheese",
    'Is this vegan?',
    // Other people, questions, requests and passing moments.
    'My friend loves jazz.',
    'My boss loves eclairs, what should I get her?',
    "I'd love to get a dog someday",
    "I'm 5 minutes away",
    "I'm working from home today",
    'I like the look of the fruit tart. How big is it?',
    'Love you guys!',
    "I'll think about it",
    "I'll have the chocolate one please",
    "I'm going to need a bigger box",
    'Here is a pic I got from my walk last week.',
    'Could you make a walnut-free chocolate cake for 10 people?',
    'What do you remember about me?',
    // A passing worry about this visit, or a question, is no fear worth keeping.
    "I'm nervous about the price",
    "I'm a bit nervous about my driving test tomorrow",
    'Are you afraid of spiders?',
    'Is the gym open 24h, I work nights?',
  ])('finds nothing in %j', (message) => {
    expect(said(message)).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['My brother Jack lives in Leeds.', ['Your brother is called Jack.']],
    ['My son is allergic to eggs.', ['You have a son.']],
    ["I'm not a teacher, I'm a nurse.", ["You're a nurse."]],
    ["I don't live in London anymore, I moved to Brighton.", ['You moved to Brighton (by 4 March 2025).']],
    ["My friend Tom says I'm a good baker.", ['Your friend is called Tom.']],
  ])('keeps only what is about the visitor in %j', (message, expected) => {
    expect(said(message)).toEqual(expected);
  });

  it('gives each fact a kind, a value and, for plans and events, a date', () => {
    expect(slots('I have two kids, Leo and Ada.')).toEqual([
      { kind: 'family', value: 'two kids', values: ['kid leo', 'kid ada'] },
    ]);
    expect(slots("I'm flying to Lisbon on 3 May.")).toEqual([
      { kind: 'plan', value: 'flying to lisbon', date: '2025-05-03' },
    ]);
    expect(slots("We're moving house next month.")).toEqual([{ kind: 'plan', value: 'moving house', date: '2025-04' }]);
    expect(slots('I broke my wrist skiing last week')).toEqual([
      { kind: 'event', value: 'broke my wrist skiing', date: '2025-02-24' },
    ]);
    expect(slots("I'm a software engineer at Spotify.")).toEqual([
      { kind: 'work', value: 'software engineer', values: ['spotify'] },
    ]);
  });

  it('searches by a wording of the visitor, naming them once they give their name', () => {
    const facts = findStatedFacts("Hi, I'm Priya and I'm allergic to walnuts", { at: AT });
    expect(facts.map((f) => f.canonical)).toEqual(["The visitor's name is Priya.", 'Priya is allergic to walnuts.']);
    const dated = findStatedFacts("I'm flying to Lisbon on 3 May", { at: AT, visitorName: 'Sam' });
    expect(dated.map((f) => f.canonical)).toEqual(['Sam is flying to Lisbon on 2025-05-03.']);
  });
});
