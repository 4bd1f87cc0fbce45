# Writes random-cases.json: templates built at random from a small grammar of Go's
# text/template (builtins only, so Go's stdlib can run them), some with one character
# deleted or doubled. Ranges over integers are left out: the Go used to write the expected
# outputs predates them. Run from this directory; then run regenerate.sh.
import json, random
random.seed(11)
FIELDS=['.Name','.Tags','.M','.N','.Z','.T','.F','.S','.Nil','.Missing','.Nested.Inner.X','.Nested','.Mixed','.Fl','.M.a','.NM.z','$','.','$x','$i','$v']
LITS=['1','0','-2','2.5','1e3','"s"','""','`r`',"'c'",'true','false','nil','0x10']
FUNCS0=['print','println']
FUNCS=[('len',1),('not',1),('index',2),('slice',2),('eq',2),('ne',2),('lt',2),('le',2),('gt',2),('ge',2),('and',2),('or',2),('print',2),('println',1),('html',1),('js',1),('urlquery',1),('printf',2)]
def operand(d):
    r=random.random()
    if r<0.45: return random.choice(FIELDS)
    if r<0.75 or d>2: return random.choice(LITS)
    return '('+pipeline(d+1)+')'
def command(d):
    r=random.random()
    if r<0.5:
        f,n=random.choice(FUNCS)
        if f=='printf':
            return 'printf '+random.choice(['"%v"','"%d %s"','"%q"','"%5.2f|%x"','"%T"'])+' '+' '.join(operand(d) for _ in range(random.randint(0,2)))
        return f+' '+' '.join(operand(d) for _ in range(n if random.random()<0.8 else random.randint(0,3)))
    return operand(d)
def pipeline(d=0):
    p=command(d)
    for _ in range(random.choice([0,0,0,1,1,2])):
        f,_n=random.choice(FUNCS)
        p+=' | '+f+(' '+operand(d) if random.random()<0.4 else '')
    if random.random()<0.15 and d==0:
        p=random.choice(['$x := ','$x = ','$y := '])+p
    return p
def lt(): return random.choice(['{{','{{- ','{{ '])
def rt(): return random.choice(['}}',' -}}',' }}'])
def block(d=0):
    out=''
    for _ in range(random.randint(1,4)):
        r=random.random()
        if r<0.3: out+=random.choice(['a',' ','\n','  x  ','\t-\n'])
        elif r<0.6: out+=lt()+pipeline()+rt()
        elif d<3 and r<0.75: out+=lt()+'if '+pipeline()+rt()+block(d+1)+(lt()+random.choice(['else','else if .T'])+rt()+block(d+1) if random.random()<0.5 else '')+lt()+'end'+rt()
        elif d<3 and r<0.85: out+=lt()+'range '+random.choice(['','$i, $v := ','$v := '])+random.choice(['.Tags','.M','.Mixed','.Empty','.Name','.Nil'])+rt()+block(d+1)+(lt()+'else'+rt()+'E' if random.random()<0.3 else '')+(lt()+random.choice(['break','continue'])+rt() if random.random()<0.2 else '')+lt()+'end'+rt()
        elif d<3 and r<0.95: out+=lt()+'with '+pipeline()+rt()+block(d+1)+lt()+'end'+rt()
        else: out+='{{/* c */}}'
    return out
cases=[]
for _ in range(1000):
    s=block()
    if random.random()<0.2:
        # mutate: delete or duplicate a random char
        i=random.randrange(len(s)) if s else 0
        s = s[:i]+s[i+1:] if random.random()<0.5 else s[:i]+s[i:i+1]+s[i:]
    cases.append(s)
data=json.load(open('cases.json'))['data']
json.dump({"data": data, "cases": cases}, open('random-cases.json','w'), indent=0, ensure_ascii=False)
