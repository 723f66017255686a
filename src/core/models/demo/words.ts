// The demo tokenizer's words and the valence lexicon of its planted circuit: a general list of
// our own, written for the register of moral-judgement vignettes (people at work and at home,
// towns, businesses and nature; decisions, warnings and their side effects), not read off any
// notebook. Forms are listed as they are written; regular endings (-s, -ed, -ing, -er, -ly …)
// also exist as word pieces, so an unlisted inflection of a listed word stays readable.
// A vignette that uses words outside this list still runs: they are spelled in letter pieces,
// and the ratings output names them.

const words = (text: string): string[] => text.trim().split(/\s+/);

/** Words of harmful outcomes: each carries the negative-valence component. */
export const NEGATIVE_WORDS: readonly string[] = words(`
  harm harms harmed harming harmful hurt hurts hurting damage damages damaged damaging
  injure injures injured injuring injury injuries wound wounded ruin ruins ruined ruining
  destroy destroys destroyed destroying destruction spoil spoils spoiled spoilt spoiling
  pollute pollutes polluted polluting pollution poison poisons poisoned poisoning poisonous
  toxic contaminate contaminated waste wastes wasted wasting wasteful lose loses lost losing
  loss losses suffer suffers suffered suffering kill kills killed killing death deaths die dies
  died dying threaten threatens threatened threat threats endanger endangers endangered danger
  dangers dangerous unsafe risky weaken weakens weakened worsen worsens worsened worse worst
  upset upsets upsetting disturb disturbs disturbed disturbing annoy annoys annoyed annoying
  anger angers angered angry frighten frightens frightened scare scared afraid fear fears
  cheat cheats cheated steal steals stole stolen theft rob robbed break breaks broke broken
  crack cracks cracked tear tears tore torn burn burns burned burnt flood floods flooded
  drain drains drained sicken sickened sick sicker illness disease diseases ill pain pains
  painful ache aches headache headaches suffering dirty dirtier dirtiest filthy poor poorer
  poorest poverty sad sadder unhappy miserable cruel unfair fail fails failed failing failure
  problem problems trouble troubles crisis debt debts penalty punish punished helpless useless
  lonely homeless hungry hunger starve starved neglect neglected abandon abandoned hopeless
  careless deny denied ugly noisy crowded bad
`);

/** Words of helpful outcomes: each carries the positive-valence component. */
export const POSITIVE_WORDS: readonly string[] = words(`
  help helps helped helping helpful benefit benefits benefited benefiting beneficial improve
  improves improved improving improvement protect protects protected protecting protection
  save saves saved saving heal heals healed healing restore restores restored restoring
  support supports supported supporting strengthen strengthens strengthened
  clean cleaner cleanest cleaned safe safer safest safety healthy healthier health cure cured
  gain gains gained gaining win wins won winning please pleases pleased pleasing pleasant
  cheer cheers cheered cheerful comfort comforts comforted comfortable encourage encouraged
  enrich enriched boost boosts boosted rescue rescues rescued thrive thrives thrived thriving
  flourish flourished prosper prospered reward rewards rewarded happy happier glad delight
  delighted joy enjoy enjoys enjoyed generous fair fairer better best good great
  useful valuable beautiful lovely welcome welcomed calm peace peaceful hope hopeful relief
  relieve relieved ease eased grateful thank thanks praise praised celebrate celebrated
  succeed succeeds succeeded success successful feed fed nourish shelter
  sheltered repair repaired mend fix fixed free freed
`);

/** Everything else: the words vignettes, questions and answer scales are made of. */
export const GENERAL_WORDS: readonly string[] = words(`
  a an the this that these those some any no every each all both either neither other another
  such what which who whom whose where when why how here there then than so very too also only
  just even still again already soon now later never always often sometimes ever once twice
  i me my mine myself you your yours yourself he him his himself she her hers herself it its
  itself we us our ours ourselves they them their theirs themselves one ones
  and or but if because although though while until unless since as whether nor yet
  of in on at to for from by with without about into onto out over under above below between
  among through across along around near behind before after during against toward towards
  up down off away back inside outside beside next past per via like unlike instead
  is am are was were be been being have has had having do does did done doing will would
  shall should can could may might must not yes
  zero one two three four five six seven eight nine ten eleven twelve twenty thirty hundred
  thousand million first second third last half quarter dozen several many much more most
  few fewer less least little enough lot lots plenty

  say says said saying tell tells told telling ask asks asked asking answer answers answered
  reply replies replied warn warns warned warning explain explains explained speak spoke
  talk talks talked call calls called write writes wrote written read reads hear hears heard
  see sees saw seen look looks looked watch watched know knows knew known think thinks thought
  believe believes believed expect expects expected mean means meant understand understood
  want wants wanted wish wished need needs needed like likes liked love loves loved hate hates
  care cares cared mind minds matter matters mattered decide decides decided decision choose
  chose chosen choice plan plans planned planning agree agreed refuse refused accept accepted
  go goes went gone going come comes came coming get gets got getting make makes made making
  take takes took taken taking give gives gave given giving put puts keep keeps kept keeping
  let lets leave leaves left leaving bring brings brought bringing send sends sent run runs ran
  running move moves moved moving turn turns turned open opens opened close closes closed
  start starts started begin begins began begun stop stops stopped end ends ended finish
  finished continue continued change changes changed changing use uses used using try tries
  tried work works worked working build builds built building buy buys bought sell sells sold
  selling pay pays paid spend spends spent cost costs costly charge charged earn earns earned
  grow grows grew grown growing raise raises raised rise rises rose risen lower lowers lowered
  fall falls fell fallen cut cuts cutting add adds added reduce reduces reduced increase
  increases increased double doubled drop drops dropped reach reaches reached carry carries
  carried drive drives drove driven driving ride rode fly flies flew flown sail sailed walk
  walks walked travel travelled live lives lived living stay stays stayed wait waits waited
  sleep sleeps slept wake woke awake eat eats ate eaten drink drinks drank cook cooks cooked
  bake baked cleans dig dug plant plants planted pick picked fish fishing hunt catch
  caught cover covered fill filled empty emptied pour poured spray sprayed dump dumped
  produce produces produced make ship shipped deliver delivers delivered delivery serve served
  hire hired fire fired employ employed train trained teach taught learn learned learnt study
  studied test tested check checked measure measured count counted show shows showed shown
  happen happens happened become becomes became remain remained seem seems seemed feel feels
  felt find finds found meet met join joined share shared offer offered allow allowed
  let prevent prevented avoid avoided affect affects affected cause causes caused lead led
  follow followed happen replace replaced remove removed install installed switch switched
  light lit set sets setting own owns owned

  person people man men woman women child children boy girl family families friend friends
  neighbour neighbours neighbor neighbors parent parents mother father son daughter husband
  wife brother sister grandmother grandfather baby guest guests visitor visitors tourist
  tourists customer customers client clients patient patients student students pupil pupils
  worker workers employee employees staff team crew member members citizen citizens resident
  residents public group community
  boss owner owners manager managers director directors chairman chairwoman president
  chief head leader leaders founder founders executive board officer officers mayor minister
  government council committee agent agents adviser advisor assistant secretary clerk clerks
  engineer engineers scientist scientists doctor doctors nurse nurses teacher teachers
  farmer farmers fisherman fishermen captain sailor sailors pilot pilots driver drivers
  builder builders planner planners designer developer developers lawyer judge police
  soldier guard cook baker shopkeeper seller buyer trader banker accountant analyst
  researcher reporter journalist writer artist musician player players coach singer actor
  miner farmer gardener mechanic plumber electrician carpenter painter librarian
  programmer inventor investor partner partners competitor rival

  company companies business businesses firm factory factories plant plants office offices
  shop shops store stores market markets bank banks hotel hotels restaurant cafe cafes
  farm farms field fields mill mine mines quarry warehouse workshop studio station stations
  hospital hospitals clinic school schools university college library museum church theatre
  cinema stadium park parks garden gardens playground square street streets road roads
  bridge bridges tunnel railway train trains bus buses car cars truck trucks van vans boat
  boats ship ships plane planes airport harbour harbor port dock beach coast island sea
  river rivers lake lakes pond stream spring well water waters ocean forest forests wood
  woods tree trees hill hills mountain mountains valley field land soil ground earth air sky
  sun rain snow wind weather climate nature environment wildlife animal animals bird birds
  fish bees bee deer cow cows sheep horse horses dog dogs cat cats insect insects flower
  flowers grass crop crops fruit fruits apple apples grape grapes vegetable vegetables
  wheat corn rice bread milk food meal meals dinner lunch breakfast coffee tea wine
  town towns city cities village villages country countries area region neighbourhood
  home homes house houses flat building buildings room rooms wall walls door doors window
  windows roof floor kitchen yard fence gate tower towers centre center corner side north
  south east west place places world
  money price prices cost profit profits sales sale income budget tax taxes wage wages salary
  bill bills fee fees bonus loan share shares value interest fund funds market customer
  product products goods service services order orders deal contract project projects plan
  programme program policy rule rules law laws report reports result results data figure
  figures number numbers amount level levels rate rates quality quantity output supply
  energy power electricity fuel oil gas coal battery batteries machine machines pump pumps engine
  engines tool tools system systems network computer computers phone phones app apps
  software website email internet screen light lights sound noise music radio television
  news newspaper book books paper letter letters sign signs map ticket tickets card cards
  time times day days night nights morning afternoon evening week weeks month months year
  years hour hours minute minutes moment today tomorrow yesterday monday tuesday wednesday
  thursday friday saturday sunday weekend holiday season summer winter spring autumn
  side effect effects result outcome consequence purpose reason way ways thing things part
  parts kinds type sort lot case fact idea question questions answer point points
  scale story stories vignette scenario condition situation issue chance risk
  goal aim target interest concern attention view opinion feeling sense
  job jobs work career trade industry market economy growth change changes difference
  road route trip journey distance speed size weight height length space room area
  meeting plan schedule timetable shift shifts task tasks practice training lesson lessons
  exam exams test game games match sport sports team club race prize

  new old young big bigger biggest small smaller smallest large larger largest little long
  longer longest short shorter shortest high higher highest low tall wide narrow deep
  fast faster fastest slow slower quick quicker early late near far close open closed full
  empty whole entire main major minor important simple easy easier hard harder difficult
  possible likely certain sure clear cheap cheaper cheapest expensive rich richer
  local national public private general special same different similar own real true false
  right wrong ready able busy quiet loud hot cold warm cool dry wet fresh green blue
  red white black dark bright heavy light weak able nearby next whole extra
  normal usual common rare main only single double total other various
  completely entirely fully totally partly somewhat slightly rather quite fairly really
  extremely highly barely hardly almost nearly exactly simply directly deliberately
  intentionally unintentionally purposely knowingly accidentally consciously willingly
  intentional deliberate intended purpose blame blamed responsible responsibility fault
  moral morally judge judged judgement wrongly rightly certainly probably possibly
  definitely harmless painless fearless
  answer rate rating ratings scale number whole from to between agent action actions
  score scores scored using closing baking moving coming giving having leaving raising
  reducing producing increasing changing serving hiring firing sharing caring hoping writing
  riding placing deciding replacing removing taking making driving arriving arrive arrived
  stopping sitting shopping swimming digging putting beginning planning dropping
  earlier easier busier heavier noisier later hotter hottest wetter bigger fatter
  thinner

  play plays played playing game sport football tennis golf swim race races match matches
  none nobody nothing something anything everything someone anyone everyone everybody
  user users update updates updated release releases released version versions feature
  experiment experiments laboratory lab science research study studies survey sample samples
  harvest harvests crop seed seeds soil field orchard barn tractor hay stable
  flight flights fleet airline airlines passenger passengers crew cabin route routes journey
  rock rocks stone stones sand mud dust ice wave waves tide shore cliff cave hole
  hall halls print printed printing press panel panels screen spare extra part parts
  net nets rope chain box boxes bag bags bottle bottles glass plate cup table chair bed
  ahead behind forward backward smell smells taste sound sounds noise shadow shadows shade
  settle settled land landed cast throw threw thrown pull pulled push pushed lift lifted
  hang hung hold holds held hit hits kick kicked shoot shot fight fought
  formula recipe method process design designs model models plan idea
  youth youths adult adults elderly senior seniors teenager teenagers kid kids
  extend extends extended stretch shorten shortened lengthen widen
  attract attracts attracted draw draws drew drawn pull visit visits visited
  dress dresses shirt shoes coat hat uniform
  doctor surgery medicine medicines drug drugs treatment test tests result results
  song songs concert band bands orchestra choir stage show shows film films picture pictures
  art painting paintings photo photos camera cameras video videos game games toy toys
  wall fence gate path paths track tracks lane lanes pavement corner block blocks
  election vote votes voter voters party parties campaign leader law court prison
  copper steel iron gold silver metal wood plastic cloth brick bricks concrete glass
`);
