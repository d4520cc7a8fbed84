#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Independent oracle: backtrader's SMA crossover backtest, re-implemented with the
Python standard library only (backtrader itself cannot be installed here).

The run it reproduces, written as backtrader code:

    class SmaCross(bt.Strategy):
        params = dict(fast=10, slow=30)

        def __init__(self):
            fast = bt.ind.SMA(period=self.p.fast)
            slow = bt.ind.SMA(period=self.p.slow)
            self.crossover = bt.ind.CrossOver(fast, slow)

        def next(self):
            if not self.position:
                if self.crossover > 0:
                    close = self.data.close[0]
                    size = math.floor(self.broker.getcash() / (close * (1 + COMM)))
                    self.buy(size=size)
            elif self.crossover < 0:
                self.close()

    cerebro = bt.Cerebro()                        # runonce=True, preload=True (defaults)
    cerebro.adddata(bt.feeds.GenericCSVData(      # Close column, as float(), no rounding
        dataname='orcl-1995-2014.txt', dtformat='%Y-%m-%d',
        datetime=0, open=1, high=2, low=3, close=4, volume=6, openinterest=-1))
    cerebro.addstrategy(SmaCross)
    cerebro.broker.setcash(100000.0)
    cerebro.broker.setcommission(commission=0.001)   # 0.1 % of traded value
    cerebro.broker.set_coc(True)                     # cheat-on-close
    cerebro.run()

Every rule below cites the backtrader source it mirrors (mementum/backtrader master,
release 1.9.7x; the NonZeroDifference-based CrossOver is the one shipped since 1.9.76).

Price column — a trap worth knowing (backtrader/feeds/yahoo.py, YahooFinanceCSVData._loadline):
the Yahoo feed's defaults (version='v7', adjclose=True, round=True, decimals=2) read the file's
*Adj Close* column as the close ("in v7, the final seq is 'adj close', close, volume": it takes
token 4 as the adjusted close and token 5 as the close, then keeps token 5 when adjclose=True)
and round it to 2 decimals. The project prices from the *Close* column unrounded, which is what
GenericCSVData (feeds/csvgeneric.py: float(token)) or YahooFinanceCSVData(adjclose=False,
round=False) deliver. That is the default here (--feed close). --feed yahoo and
--feed yahoo-noadj reproduce the Yahoo feed's other settings, for reference only.

Output (stdout, JSON):
    {"orders": [{"date", "side", "size", "price", "commission"}...],
     "finalValue", "finalCash", "finalPosition", "bars", "rejected", "unfilledAtEnd", "config"}
"""

import argparse
import csv
import json
import math
import sys


# --------------------------------------------------------------------------- data feed


def load_closes(path, feed):
    """Returns (dates, closes) in file order.

    backtrader/feed.py CSVDataBase: the first line is a header (param headers=True) and is
    skipped; each further line is split on ',' and handed to _loadline.
    """
    dates = []
    closes = []
    with open(path, newline='') as f:
        reader = csv.reader(f)
        header = next(reader)
        if [h.strip().lower() for h in header] != [
            'date', 'open', 'high', 'low', 'close', 'adj close', 'volume'
        ]:
            raise SystemExit('%s: not a Yahoo CSV (header %r)' % (path, header))
        for lineno, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) != 7:
                raise SystemExit('%s:%d: expected 7 columns' % (path, lineno))
            if feed != 'close' and 'null' in row[1:]:
                # feeds/yahoo.py _loadline: rows with a 'null' token are skipped
                continue
            # feeds/yahoo.py _loadline: date(int(dttxt[0:4]), int(dttxt[5:7]), int(dttxt[8:10]))
            d = row[0]
            date = '%04d-%02d-%02d' % (int(d[0:4]), int(d[5:7]), int(d[8:10]))
            close_col = float(row[4])
            adj_col = float(row[5])
            if feed == 'close':
                # feeds/csvgeneric.py GenericCSVData._loadline: v = float(csvfield)
                c = close_col
            else:
                # feeds/yahoo.py (version 'v7'): "adjustedclose = c" (token 4, the Close
                # column) then "c = float(linetokens[next(i)])" (token 5, Adj Close).
                # adjclose=True keeps c (Adj Close column); adjclose=False sets
                # "c = adjustedclose" (the Close column). round=True: round(c, 2).
                c = adj_col if feed == 'yahoo' else close_col
                c = round(c, 2)
            dates.append(date)
            closes.append(c)
    return dates, closes


# --------------------------------------------------------------------------- indicators


def sma(closes, period):
    """backtrader/indicators/sma.py: MovingAverageSimple sets lines[0] = Average(data, period).
    backtrader/indicators/basicops.py Average.next/once:
        dst[i] = math.fsum(src[i - period + 1:i + 1]) / period
    PeriodN.__init__ -> addminperiod(period): no value before index period - 1 (NaN)."""
    out = [float('nan')] * len(closes)
    for i in range(period - 1, len(closes)):
        out[i] = math.fsum(closes[i - period + 1:i + 1]) / period
    return out


def crossover(fast, slow, start):
    """backtrader/indicators/crossover.py (1.9.76+):

    NonZeroDifference (minperiod = that of its datas, i.e. the first index where both
    SMAs exist = ``start``):
        nextstart/oncestart: nzd[start] = data0[start] - data1[start]   # seed value
        next/once:           d = data0 - data1; nzd = d if d else nzd[-1]
    _CrossBase.__init__:
        CrossUp:   before = nzd(-1) < 0.0 ; after = data0 > data1 ; cross = And(before, after)
        CrossDown: before = nzd(-1) > 0.0 ; after = data0 < data1
    CrossOver.__init__: crossover = upcross - downcross  (1.0 / -1.0 / 0.0)

    The delayed line nzd(-1) adds one bar of minimum period, so the crossover (and with it
    the strategy's next()) first exists at index start + 1."""
    n = len(fast)
    nzd = [float('nan')] * n
    cross = [float('nan')] * n
    if start >= n:
        return cross
    nzd[start] = fast[start] - slow[start]
    for i in range(start + 1, n):
        d = fast[i] - slow[i]
        nzd[i] = d if d else nzd[i - 1]
        up = float(nzd[i - 1] < 0.0 and fast[i] > slow[i])
        down = float(nzd[i - 1] > 0.0 and fast[i] < slow[i])
        cross[i] = up - down
    return cross


# --------------------------------------------------------------------------- broker


class Order(object):
    """backtrader/order.py OrderBase.__init__: a Market order created without price gets
    created.price = created.pclose = data.close[0] and created.dt = data.datetime[0]
    (the bar on which next() issued it). Sell orders carry a negative size."""

    def __init__(self, side, size, index, date, close):
        self.side = side
        self.size = size if side == 'BUY' else -size
        self.index = index
        self.date = date
        self.created_price = close
        self.created_pclose = close


class BackBroker(object):
    """backtrader/brokers/bbroker.py BackBroker with checksubmit=True (default),
    shortcash=True (default), coc=True (set_coc), a CommInfoBase from
    broker.setcommission(commission=0.001) (backtrader/broker.py: percabs=True,
    commtype=None, margin=None -> comminfo.py: _stocklike=True, _commtype=COMM_PERC,
    leverage=1.0, mult=1.0)."""

    def __init__(self, cash, commission):
        self.cash = float(cash)  # bbroker.py init: self.startingcash = self.cash = self.p.cash
        self.commission = commission
        self.pos_size = 0  # position.py Position.size
        self.pos_price = 0.0  # position.py Position.price
        self.submitted = []  # bbroker.py transmit(): checksubmit -> self.submitted
        self.pending = []  # accepted orders
        self.executions = []
        self.rejected = []

    # comminfo.py CommInfoBase (stock-like, percentage commission)
    def getcommission(self, size, price):
        # comminfo.py _getcommission, COMM_PERC: abs(size) * self.p.commission * price
        return abs(size) * self.commission * price

    @staticmethod
    def getvaluesize(size, price):
        # comminfo.py getvaluesize, stocklike: size * price
        return size * price

    @staticmethod
    def profitandloss(size, price, newprice):
        # comminfo.py profitandloss: size * (newprice - price) * self.p.mult   (mult = 1.0)
        return size * (newprice - price) * 1.0

    @staticmethod
    def position_update(size, price, oldsize, oldprice):
        """position.py Position.update -> (newsize, newprice, opened, closed); only the
        flat->long and long->flat transitions occur in a long/flat strategy."""
        newsize = oldsize + size
        if not newsize:
            return newsize, 0.0, 0, size  # closed existing position
        if not oldsize:
            return newsize, price, size, 0  # opened a position from 0
        raise AssertionError('long/flat strategy never adds to or reverses a position')

    def submit(self, order):
        # strategy.py buy()/sell(): "if size: return self.broker.buy(...)" — a zero size
        # sends nothing. bbroker.py transmit(): checksubmit -> appended to self.submitted.
        self.submitted.append(order)

    def _execute(self, order, ago=None, price=None, cash=None):
        """bbroker.py BackBroker._execute. ago=None is the pseudo-execution used by
        check_submitted (returns the cash left); otherwise a real execution."""
        size = order.size  # filler is None: order.executed.remsize
        if ago is not None:
            # real execution: position = self.positions[data]; pprice_orig = position.price
            pprice_orig = self.pos_price
            psize, pprice, opened, closed = self.position_update(
                size, price, self.pos_size, self.pos_price)
            # pnl = comminfo.profitandloss(-closed, pprice_orig, price); cash = self.cash
            pnl = self.profitandloss(-closed, pprice_orig, price)
            cash = self.cash
        else:
            # pseudo execution: price = pprice_orig = order.created.price (coo is False)
            pnl = 0
            price = pprice_orig = order.created_price
            psize, pprice, opened, closed = self.position_update(
                size, price, self.pos_size, self.pos_price)

        closedcomm = 0.0
        if closed:
            # shortcash: closedvalue = comminfo.getvaluesize(-closed, pprice_orig)
            closedvalue = self.getvaluesize(-closed, pprice_orig)
            closecash = closedvalue
            if closedvalue > 0:
                closecash /= 1.0  # closecash /= comminfo.get_leverage()
            # cash += closecash + pnl * comminfo.stocklike   (stocklike True == 1)
            cash += closecash + pnl * 1
            closedcomm = self.getcommission(closed, price)
            cash -= closedcomm
            if ago is not None:
                cash += 0.0  # comminfo.cashadjust(...) is 0.0 for stock-like
                self.cash = cash

        popened = opened
        openedcomm = 0.0
        if opened:
            # shortcash: openedvalue = comminfo.getvaluesize(opened, price)
            openedvalue = self.getvaluesize(opened, price)
            opencash = openedvalue
            if openedvalue > 0:
                opencash /= 1.0  # opencash /= comminfo.get_leverage()
            cash -= opencash
            openedcomm = self.getcommission(opened, price)
            cash -= openedcomm
            if cash < 0.0:
                opened = 0  # "execution is not possible - nullify"
                openedcomm = 0.0
            elif ago is not None:
                self.cash = cash  # "update system cash"

        if ago is None:
            return cash  # "return cash from pseudo-execution"

        execsize = closed + opened
        if execsize:
            # position.update(execsize, price, ...)
            self.pos_size, self.pos_price = psize, pprice
            # order.execute(dtcoc or data.datetime[ago], execsize, price, ...):
            # with coc the execution date is order.created.dt, the signal bar.
            self.executions.append({
                'date': order.date,
                'side': order.side,
                'size': abs(execsize),
                'price': price,
                'commission': closedcomm + openedcomm,
                'signalIndex': order.index,
            })
        if popened and not opened:
            # "opened was not executed - not enough cash" -> order.margin()
            self.rejected.append({'date': order.date, 'side': order.side,
                                  'size': abs(order.size), 'reason': 'margin at execution'})

    def check_submitted(self):
        """bbroker.py check_submitted: pseudo-executes each submitted order against the
        current cash (sequentially); cash >= 0.0 -> submit_accept, else order.margin()."""
        cash = self.cash
        while self.submitted:
            order = self.submitted.pop(0)
            cash = self._execute(order, cash=cash)
            if cash >= 0.0:
                self.pending.append(order)
                continue
            self.rejected.append({'date': order.date, 'side': order.side,
                                  'size': abs(order.size), 'reason': 'margin at submit'})

    def next(self):
        """bbroker.py BackBroker.next: check_submitted(), then try each pending order.
        _try_exec_market with coc: "if self.p.coc and order.info.get('coc', True):
        dtcoc = order.created.dt; exprice = order.created.pclose" — the order fills at the
        close of the bar that created it, without the "execute after creation time" wait.
        slip_open is False, so _slip_up/_slip_down return exprice unchanged."""
        self.check_submitted()
        pending, self.pending = self.pending, []
        for order in pending:
            self._execute(order, ago=0, price=order.created_pclose)
        # end-of-bar cashadjust is 0.0 for stock-like instruments

    def get_value(self, close):
        """bbroker.py _get_value (shortcash=True, leverage 1.0):
        dvalue = size * close; dunrealized = size * (close - pos.price);
        long: pos_value_unlever += (dvalue - dunrealized) / 1.0 + dunrealized;
        value = cash + pos_value_unlever  (mathematically cash + size * close)."""
        if not self.pos_size:
            return self.cash + 0.0
        dvalue = self.getvaluesize(self.pos_size, close)
        dunrealized = self.profitandloss(self.pos_size, self.pos_price, close)
        pos_value_unlever = 0.0
        if dvalue > 0:
            dvalue -= dunrealized
            pos_value_unlever += dvalue / 1.0
            pos_value_unlever += dunrealized
        else:
            pos_value_unlever += dvalue
        return self.cash + pos_value_unlever


# --------------------------------------------------------------------------- run


def run(path, fast_p, slow_p, cash, commission, feed):
    dates, closes = load_closes(path, feed)
    fast = sma(closes, fast_p)
    slow = sma(closes, slow_p)
    start = max(fast_p, slow_p) - 1  # first index where both SMAs exist
    cross = crossover(fast, slow, start)
    # strategy.py _periodset: the strategy's minimum period is the largest of its
    # indicators' (here the CrossOver's: start + 2 bars), so next() runs from index start+1;
    # before that prenext() (a no-op) is called.
    first_next = start + 1

    broker = BackBroker(cash, commission)
    for i in range(len(closes)):
        # cerebro.py _runonce / _runnext: for every bar, self._brokernotify() (which calls
        # broker.next()) runs BEFORE strat._oncepost()/strat._next(). An order issued in
        # next() on bar i is therefore checked and executed in broker.next() of bar i+1,
        # at bar i's close (coc) and stamped with bar i's date. An order issued on the
        # last bar is never executed (there is no bar after it).
        broker.next()
        if i < first_next:
            continue
        # Strategy.next() — the position seen here already includes all fills so far.
        c = closes[i]
        if not broker.pos_size:
            if cross[i] > 0:
                # all-in sizing, whole shares, leaving room for the commission
                size = math.floor(broker.cash / (c * (1 + commission)))
                if size:  # strategy.py buy(): "if size:" — no order for size 0
                    broker.submit(Order('BUY', size, i, dates[i], c))
        elif cross[i] < 0:
            # strategy.py close(): possize = position.size; size = abs(possize);
            # possize > 0 -> self.sell(data=data, size=size)
            broker.submit(Order('SELL', abs(broker.pos_size), i, dates[i], c))

    unfilled = [{'date': o.date, 'side': o.side, 'size': abs(o.size)}
                for o in broker.submitted + broker.pending]
    last_close = closes[-1]
    return {
        'orders': [{k: e[k] for k in ('date', 'side', 'size', 'price', 'commission')}
                   for e in broker.executions],
        'finalValue': broker.get_value(last_close),
        'finalCash': broker.cash,
        'finalPosition': broker.pos_size,
        'bars': len(closes),
        'firstDate': dates[0] if dates else None,
        'lastDate': dates[-1] if dates else None,
        'rejected': broker.rejected,
        'unfilledAtEnd': unfilled,
        'config': {'fast': fast_p, 'slow': slow_p, 'cash': cash,
                   'commission': commission, 'feed': feed, 'coc': True},
    }


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('data', help='Yahoo CSV (Date,Open,High,Low,Close,Adj Close,Volume)')
    ap.add_argument('--fast', type=int, default=10)
    ap.add_argument('--slow', type=int, default=30)
    ap.add_argument('--cash', type=float, default=100000.0)
    ap.add_argument('--commission', type=float, default=0.001)
    ap.add_argument('--feed', choices=('close', 'yahoo', 'yahoo-noadj'), default='close',
                    help='close: Close column unrounded (GenericCSVData); yahoo: '
                         'YahooFinanceCSVData defaults (Adj Close column, 2 decimals); '
                         'yahoo-noadj: YahooFinanceCSVData(adjclose=False) (Close, 2 decimals)')
    args = ap.parse_args(argv)
    result = run(args.data, args.fast, args.slow, args.cash, args.commission, args.feed)
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main(sys.argv[1:])
